import { useEffect, useState } from 'react';
import { Link } from '../router/link';
import { useActingOrganization } from './acting-org';
import { onInboxChanged, unreadCount } from './api';

const EVERY_MS = 30_000;

/** Unread in-app messages (referral updates) for the organization the user works for, in the banner; opens the inbox. */
export function InboxBadge({ pathname }: { pathname: string }) {
  const acting = useActingOrganization();
  const [unread, setUnread] = useState<number>();
  useEffect(() => {
    if (!acting) return setUnread(undefined);
    let alive = true;
    const load = () =>
      unreadCount(acting.reference).then(
        (r) => alive && setUnread(r.unread),
        () => alive && setUnread(undefined),
      );
    void load();
    const timer = setInterval(load, EVERY_MS);
    const off = onInboxChanged(() => void load());
    return () => {
      alive = false;
      clearInterval(timer);
      off();
    };
  }, [acting?.reference, pathname]);
  if (!acting || unread === undefined) return null;
  return (
    <Link
      to="/inbox"
      className="inbox-badge"
      aria-label={`${unread} unread referral ${unread === 1 ? 'update' : 'updates'} for ${acting.name}`}
    >
      <span aria-hidden="true">Updates</span>
      <span className={unread ? 'inbox-count unread' : 'inbox-count'} aria-hidden="true">
        {unread}
      </span>
    </Link>
  );
}
