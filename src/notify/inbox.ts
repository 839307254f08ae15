import type { Communication, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { FhirError } from '../fhir/errors';
import type { FhirStore, Queryable, WriteResult } from '../store';
import type { Caller } from '../privacy/caller';
import { actingFor, mayActAs } from './acting-for';

/**
 * The in-app inbox: Communications addressed to an Organization, Practitioner or PractitionerRole.
 * Each (recipient, communication) pair has a row with its read state, kept by an after-write hook.
 */
export async function indexInbox(
  store: FhirStore,
  result: WriteResult,
  _previous: Resource | undefined,
): Promise<void> {
  if (result.resource.resourceType !== 'Communication') return;
  const c = result.resource as Communication;
  const db = store.queryable;
  if (c.status === 'entered-in-error') {
    await db.query('delete from notify_inbox where communication_id = $1', [c.id]);
    return;
  }
  const recipients = (c.recipient ?? [])
    .map((r) => r.reference)
    .filter(
      (r): r is string =>
        !!r && /^(Organization|Practitioner|PractitionerRole|CareTeam|Patient|RelatedPerson)\/[^/]+$/.test(r),
    );
  if (!recipients.length) return;
  await db.query(
    `insert into notify_inbox (communication_id, recipient, created_at)
     select $1, unnest($2::text[]), $3 on conflict do nothing`,
    [c.id, recipients, c.sent ?? result.version.lastUpdated],
  );
}

export interface InboxItem {
  communication: Communication;
  read: boolean;
  readAt?: string;
}

function checkRecipient(recipient: string | undefined): string {
  if (!recipient || !/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(recipient))
    throw new FhirError('invalid_value', 'recipient must be a reference like Organization/123', 'recipient');
  return recipient;
}

export async function unreadCount(db: Queryable, recipient: string): Promise<number> {
  const { rows } = await db.query(
    'select count(*)::int as n from notify_inbox where recipient = $1 and read_at is null',
    [checkRecipient(recipient)],
  );
  return rows[0].n;
}

export async function listInbox(
  db: Queryable,
  recipient: string,
  opts: { unreadOnly?: boolean; count?: number; offset?: number } = {},
): Promise<{ unread: number; items: InboxItem[] }> {
  const { rows } = await db.query(
    `select i.read_at, r.content::text as json from notify_inbox i
     join fhir_resources r on r.resource_type = 'Communication' and r.id = i.communication_id and not r.deleted
     where i.recipient = $1 ${opts.unreadOnly ? 'and i.read_at is null' : ''}
     order by i.created_at desc, i.communication_id limit $2 offset $3`,
    [checkRecipient(recipient), Math.min(200, opts.count ?? 50), opts.offset ?? 0],
  );
  return {
    unread: await unreadCount(db, recipient),
    items: rows.map((r) => ({
      communication: JSON.parse(r.json),
      read: !!r.read_at,
      ...(r.read_at ? { readAt: r.read_at } : {}),
    })),
  };
}

/** Marks one message read (or unread again) for a recipient; answers the new unread count. */
export async function markRead(
  db: Queryable,
  recipient: string,
  communicationId: string,
  reader?: string,
  read = true,
): Promise<number> {
  const { rowCount } = await db.query(
    `update notify_inbox set read_at = case when $3::boolean then coalesce(read_at, now()) end,
       read_by = case when $3::boolean then coalesce($4, read_by) end
     where recipient = $1 and communication_id = $2`,
    [checkRecipient(recipient), communicationId, read, reader ?? null],
  );
  if (!rowCount)
    throw new FhirError('not_found', `Communication/${communicationId} is not in the inbox of ${recipient}`);
  return unreadCount(db, recipient);
}

/**
 * The recipient named in a request, when the signed-in caller acts for it (its organizations and
 * roles; administrators and the system any); else 403. The recipient is only a choice among those.
 */
async function recipientFor(
  store: FhirStore,
  caller: Caller | undefined,
  recipient: unknown,
): Promise<string> {
  const r = checkRecipient(typeof recipient === 'string' ? recipient : undefined);
  if (!mayActAs(await actingFor(store, caller), r))
    throw new FhirError('forbidden', `You do not act for ${r}: its inbox is not yours to read`, 'recipient');
  return r;
}

/**
 * Inbox API (JSON): `GET /notify/inbox?recipient=Organization/1[&unread=true]`,
 * `GET /notify/inbox/unread-count?recipient=...`, `POST /notify/inbox/:id/read` {recipient, reader, read},
 * `GET /notify/acting-for` (the organizations the caller may choose among). A recipient must be
 * one the signed-in caller acts for.
 */
export async function inboxRoutes(app: FastifyInstance, opts: { store: FhirStore }): Promise<void> {
  const db = opts.store.queryable;
  app.get('/notify/acting-for', async (req) => actingFor(opts.store, req.caller));
  app.get<{ Querystring: Record<string, string> }>('/notify/inbox', async (req) => {
    const q = req.query;
    return listInbox(db, await recipientFor(opts.store, req.caller, q.recipient), {
      unreadOnly: q.unread === 'true',
      count: q._count ? Number(q._count) : undefined,
      offset: q._offset ? Number(q._offset) : undefined,
    });
  });
  app.get<{ Querystring: Record<string, string> }>('/notify/inbox/unread-count', async (req) => ({
    recipient: req.query.recipient,
    unread: await unreadCount(db, await recipientFor(opts.store, req.caller, req.query.recipient)),
  }));
  app.post<{ Params: { id: string }; Body: { recipient?: string; reader?: string; read?: boolean } }>(
    '/notify/inbox/:id/read',
    async (req) => {
      const b = req.body ?? {};
      const recipient = await recipientFor(opts.store, req.caller, b.recipient);
      // The reader is who signed in, not a name the client sends.
      const reader = req.caller?.subject ?? b.reader;
      const unread = await markRead(db, recipient, req.params.id, reader, b.read !== false);
      return { recipient: b.recipient, unread };
    },
  );
}
