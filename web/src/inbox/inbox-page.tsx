import type { Organization, Patient } from '@medplum/fhirtypes';
import { useEffect, useRef, useState } from 'react';
import { formatDate, formatName } from '../fhir/format';
import { kithFhir } from '../fhir/kith';
import { useActingOrganization } from '../referrals/acting-org';
import { listInbox, markMessage, onInboxChanged } from '../referrals/api';
import { OrgPicker } from '../referrals/org-picker';
import { Link } from '../router/link';
import { useLocation, withQuery } from '../router/router';
import { useDocumentTitle } from '../ui/document-title';
import { OutcomeAlert } from '../ui/outcome-alert';
import { useLoad } from '../ui/use-load';
import { inboxRow, inboxSummary, type InboxRow } from './inbox-rows';
import '../referrals/referrals.css';

const PAGE = 50;

/** Names for the senders and people of the messages, by `Type/id`; what cannot be read stays unnamed. */
async function namesFor(rows: InboxRow[], signal: AbortSignal): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const ids = (type: string, refs: (string | undefined)[]) => [
    ...new Set(
      refs.filter((r): r is string => !!r?.startsWith(`${type}/`)).map((r) => r.slice(type.length + 1)),
    ),
  ];
  const orgs = ids(
    'Organization',
    rows.map((r) => r.from),
  );
  const people = ids(
    'Patient',
    rows.map((r) => r.person),
  );
  const [o, p] = await Promise.all([
    orgs.length
      ? kithFhir.search<Organization>('Organization', { _id: orgs.join(','), _count: orgs.length }, signal)
      : undefined,
    people.length
      ? kithFhir
          .search<Patient>('Patient', { _id: people.join(','), _count: people.length }, signal)
          .catch(() => undefined)
      : undefined,
  ]);
  for (const e of o?.entry ?? [])
    if (e.resource?.id && e.resource.name) names.set(`Organization/${e.resource.id}`, e.resource.name);
  for (const e of p?.entry ?? []) {
    const name = formatName(e.resource?.name);
    if (e.resource?.id && name) names.set(`Patient/${e.resource.id}`, name);
  }
  return names;
}

/**
 * Alerts and messages for the organization the user works for (the in-app inbox): newest first,
 * unread ones marked, each can be marked read or unread; a referral update opens its referral.
 */
export function InboxPage() {
  const { query } = useLocation();
  const unreadOnly = query.get('unread') === '1';
  const acting = useActingOrganization();
  const [count, setCount] = useState(PAGE);
  const [tick, setTick] = useState(0);
  const [error, setError] = useState<unknown>();
  useDocumentTitle('Alerts and messages');
  useEffect(() => onInboxChanged(() => setTick((t) => t + 1)), []);
  const key = acting ? `${acting.reference}|${unreadOnly}|${count}|${tick}` : undefined;
  const inbox = useLoad(key, async (signal) => {
    const answer = await listInbox(acting!.reference, { unreadOnly, count }, signal);
    const rows = answer.items.map(inboxRow).filter((r): r is InboxRow => !!r);
    return {
      unread: answer.unread,
      rows,
      more: answer.items.length >= count,
      names: await namesFor(rows, signal),
    };
  });
  const mark = async (row: InboxRow, read: boolean) => {
    setError(undefined);
    try {
      await markMessage(acting!.reference, row.id, read);
    } catch (err) {
      setError(err);
    }
  };
  // While a change reloads the list, the previous list of the same inbox stays (no flicker, focus kept).
  const last = useRef<{ view: string; data: NonNullable<typeof fresh> } | undefined>(undefined);
  const view = `${acting?.reference}|${unreadOnly}`;
  const fresh = inbox.status === 'done' ? inbox.data : undefined;
  if (fresh) last.current = { view, data: fresh };
  const data = fresh ?? (last.current?.view === view ? last.current.data : undefined);

  return (
    <div className="page">
      <h1 tabIndex={-1}>Alerts and messages</h1>
      <div className="referral-toolbar">
        <OrgPicker />
      </div>
      <nav className="tabs" aria-label="Messages shown">
        <Link to="/inbox" aria-current={unreadOnly ? undefined : 'page'}>
          All
        </Link>
        <Link to={withQuery('/inbox', { unread: '1' })} aria-current={unreadOnly ? 'page' : undefined}>
          Unread
        </Link>
      </nav>
      {!acting && <p className="panel muted">Choose the organization you work for to see its messages.</p>}
      {error !== undefined && <OutcomeAlert error={error} />}
      {inbox.status === 'loading' && !data && (
        <p className="loading" role="status">
          Loading messages…
        </p>
      )}
      {inbox.status === 'error' && <OutcomeAlert error={inbox.error} />}
      {data && (
        <section className="results" aria-labelledby="inbox-heading">
          <h2 id="inbox-heading" className="visually-hidden">
            Messages for {acting?.name}
          </h2>
          <p className="results-status" role="status">
            {inboxSummary(data.unread, data.rows.length)}
          </p>
          <ul className="inbox-list">
            {data.rows.map((r) => {
              const from = r.fromDisplay ?? (r.from ? (data.names.get(r.from) ?? r.from) : undefined);
              const person = r.person ? (data.names.get(r.person) ?? 'a person') : undefined;
              return (
                <li
                  key={r.id}
                  className={r.read ? 'panel inbox-item' : 'panel inbox-item unread'}
                  aria-label={`${r.read ? '' : 'Unread: '}${r.text}`}
                >
                  <div className="inbox-item-head">
                    <span className={r.read ? 'badge tone-neutral' : 'badge tone-active'}>
                      {r.read ? 'Read' : 'Unread'}
                    </span>{' '}
                    <strong>{r.kind}</strong>
                    {r.sent && <span className="muted small"> · {formatDate(r.sent)}</span>}
                  </div>
                  <p className="inbox-text">{r.text}</p>
                  <p className="muted small">
                    {from && <>From {from}</>}
                    {from && person && ' · '}
                    {person && <>About {person}</>}
                  </p>
                  <p className="inbox-actions">
                    {r.open && (
                      <Link className="button primary" to={r.open.href}>
                        {r.open.label}
                      </Link>
                    )}{' '}
                    <button type="button" className="button" onClick={() => void mark(r, !r.read)}>
                      {r.read ? 'Mark unread' : 'Mark read'}
                    </button>
                  </p>
                </li>
              );
            })}
          </ul>
          {data.more && (
            <button type="button" className="button" onClick={() => setCount((c) => c + PAGE)}>
              Show more
            </button>
          )}
        </section>
      )}
    </div>
  );
}
