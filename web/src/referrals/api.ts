import { FhirClient } from '../fhir/client';
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
