import { FhirClient } from '../fhir/client';
import type { InboxItem as Message } from '../inbox/inbox-rows';
import { accessToken } from '../session/session';

/**
 * A client at the server's root, with the session's token: for the FHIR transaction endpoint
 * itself (`/fhir`) and the inbox API (`/notify/...`), which sit beside the FHIR types.
 */
export const kithRoot = new FhirClient({ baseUrl: '', getAccessToken: accessToken });

export interface UnreadCount {
  recipient: string;
  unread: number;
}

export function unreadCount(recipient: string, signal?: AbortSignal): Promise<UnreadCount> {
  return kithRoot.request<UnreadCount>(
    `notify/inbox/unread-count?recipient=${encodeURIComponent(recipient)}`,
    { signal },
  );
}

interface InboxItem {
  communication: { id?: string; about?: { reference?: string }[] };
  read: boolean;
}

/** Marks the organization's unread messages about this Task read (opening the referral reads them). */
export async function markReferralMessagesRead(
  recipient: string,
  taskId: string,
  reader?: string,
): Promise<number> {
  const inbox = await kithRoot.request<{ items: InboxItem[] }>(
    `notify/inbox?recipient=${encodeURIComponent(recipient)}&unread=true&_count=200`,
  );
  let marked = 0;
  for (const item of inbox.items) {
    if (!item.communication.id || !item.communication.about?.some((a) => a.reference === `Task/${taskId}`))
      continue;
    await kithRoot.request(`notify/inbox/${encodeURIComponent(item.communication.id)}/read`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recipient, reader, read: true }),
    });
    marked++;
  }
  if (marked) notifyInboxChanged();
  return marked;
}

const inboxListeners = new Set<() => void>();
export function onInboxChanged(l: () => void): () => void {
  inboxListeners.add(l);
  return () => inboxListeners.delete(l);
}
export function notifyInboxChanged(): void {
  for (const l of inboxListeners) l();
}

/** The inbox of a recipient the user acts for, newest first. */
export function listInbox(
  recipient: string,
  opts: { unreadOnly?: boolean; count?: number; offset?: number },
  signal?: AbortSignal,
): Promise<{ unread: number; items: Message[] }> {
  const q = new URLSearchParams({ recipient, _count: String(opts.count ?? 50) });
  if (opts.unreadOnly) q.set('unread', 'true');
  if (opts.offset) q.set('_offset', String(opts.offset));
  return kithRoot.request(`notify/inbox?${q}`, { signal });
}

/** Marks one message read (or unread again); answers the recipient's unread count. */
export async function markMessage(recipient: string, id: string, read: boolean): Promise<number> {
  const r = await kithRoot.request<{ unread: number }>(`notify/inbox/${encodeURIComponent(id)}/read`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ recipient, read }),
  });
  notifyInboxChanged();
  return r.unread;
}
