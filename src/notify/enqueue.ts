import type { Resource } from '@medplum/fhirtypes';
import { parseSearch } from '../fhir/search/parse';
import { queryFromString } from '../fhir/service';
import type { Caller } from '../privacy/caller';
import { visibilityFilter } from '../privacy/policy';
import { ownerCaller } from './subscription';
import { executeSearch, type FhirStore, type WriteCompanion, type WriteResult } from '../store';

/**
 * The subscriptions a write may notify, read in the write's own statement (a write with no
 * subscriber, nearly every write, then costs no extra round trip).
 */
export const SUBSCRIPTIONS_COMPANION: WriteCompanion = {
  name: 'notify-subscriptions',
  sql: `select coalesce(json_agg(json_build_object('id', s.id, 'filter', s.filter, 'owner', s.owner)), '[]'::json)
        from notify_subscription s where s.resource_type = $1 and s.status <> 'off'`,
};

/**
 * After-write hook: for each subscription whose topic and filter the written resource matches, an
 * event goes into `notify_outbox` in the same transaction as the write — so a committed change
 * always has its notifications, and a rolled-back one never does. The event number comes from
 * the subscription's counter, taken under its row lock, so numbers follow commit order.
 */
export async function enqueueNotifications(
  store: FhirStore,
  result: WriteResult,
  _previous: Resource | undefined,
): Promise<void> {
  const r = result.resource;
  const db = store.queryable;
  const rows =
    (result.companions?.[SUBSCRIPTIONS_COMPANION.name] as
      { id: string; filter: string | null; owner: unknown }[] | undefined) ??
    (
      await db.query(
        `select id, filter, owner from notify_subscription where resource_type = $1 and status <> 'off'`,
        [r.resourceType],
      )
    ).rows;
  for (const sub of rows) {
    const owner = ownerCaller(sub.owner);
    // A subscriber hears only of what it may see: the filter and the access policy, as the owner.
    if ((sub.filter || owner) && !(await matches(store, r, sub.filter ?? '', owner))) continue;
    await db.query(
      `with n as (
         update notify_subscription set events_since_start = events_since_start + 1 where id = $1
         returning events_since_start)
       insert into notify_outbox (subscription_id, kind, event_number, focus_type, focus_id, focus_version, focus_created, event_at)
       select $1, 'event-notification', n.events_since_start, $2, $3, $4, $5, $6 from n`,
      [sub.id, r.resourceType, r.id, result.version.versionId, result.created, result.version.lastUpdated],
    );
  }
}

/**
 * Does the stored resource match the filter, and may the subscription's owner see it? Asked of the
 * search indexes with the owner's visibility predicate, inside the write's transaction.
 */
async function matches(
  store: FhirStore,
  r: Resource,
  filter: string,
  owner: Caller | undefined,
): Promise<boolean> {
  const req = parseSearch(r.resourceType, { ...queryFromString(filter), _id: r.id as string });
  req.count = 1;
  req.total = 'none';
  req.include = [];
  req.revinclude = [];
  const { hits } = await executeSearch(store.queryable, req, owner ? visibilityFilter(owner) : undefined);
  return hits.length > 0;
}
