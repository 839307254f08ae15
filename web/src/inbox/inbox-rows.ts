import type { Communication } from '@medplum/fhirtypes';
import { referenceKey } from '../fhir/format';

/** One message of the in-app inbox, as `GET /notify/inbox` answers it. */
export interface InboxItem {
  communication: Communication;
  read: boolean;
  readAt?: string;
}

/** What the inbox page shows for a message. */
export interface InboxRow {
  id: string;
  read: boolean;
  sent?: string;
  text: string;
  /** `Organization/..` (or another reference) that sent it. */
  from?: string;
  fromDisplay?: string;
  /** `Patient/..` the message is about. */
  person?: string;
  /** Where to act on it: the referral it is about, else the person. */
  open?: { href: string; label: string };
  kind: string;
}

const KINDS: Record<string, string> = {
  notification: 'Referral update',
  alert: 'Alert',
  reminder: 'Reminder',
  instruction: 'Instruction',
};

export function inboxRow(item: InboxItem): InboxRow | undefined {
  const c = item.communication;
  if (!c.id) return undefined;
  const text =
    (c.payload ?? [])
      .map((p) => p.contentString)
      .filter(Boolean)
      .join(' ') ||
    c.topic?.text ||
    'Message';
  const about = (c.about ?? []).map((a) => (a.reference ? referenceKey(a.reference) : undefined));
  const task = about.find((r) => r?.startsWith('Task/'));
  const person = c.subject?.reference ? referenceKey(c.subject.reference) : undefined;
  const code = c.category?.[0]?.coding?.[0]?.code;
  return {
    id: c.id,
    read: item.read,
    sent: c.sent,
    text,
    from: c.sender?.reference ? referenceKey(c.sender.reference) : undefined,
    fromDisplay: c.sender?.display,
    person: person?.startsWith('Patient/') ? person : undefined,
    open: task
      ? { href: `/referrals/${task}`, label: 'Open referral' }
      : person?.startsWith('Patient/')
        ? { href: `/${person}`, label: 'Open person' }
        : undefined,
    kind: (code && KINDS[code]) ?? c.category?.[0]?.text ?? 'Message',
  };
}

/** "3 unread of 10", "No messages". */
export function inboxSummary(unread: number, shown: number): string {
  if (!shown && !unread) return 'No messages';
  return `${unread} unread · ${shown} ${shown === 1 ? 'message' : 'messages'} shown`;
}
