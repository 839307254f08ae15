import type { Queryable } from '../../store';
import type { BlockingKey, Matcher } from '../matcher';
import type { MatchRecord } from '../types';
import type { ValueCountBuffer } from './value-counts';

/** Replaces a record's blocking keys and counts its values (in the background, see ValueCountBuffer). */
export async function indexRecord(
  db: Queryable,
  matcher: Matcher,
  record: MatchRecord,
  previous: MatchRecord | undefined,
  counts: ValueCountBuffer,
): Promise<void> {
  const keys = matcher.blockingKeys(record);
  const before = previous ? matcher.blockingKeys(previous) : [];
  const same =
    previous &&
    before.length === keys.length &&
    before.every((k, i) => k.key === keys[i].key && k.value === keys[i].value);
  if (!same) {
    if (previous) await db.query('delete from identity_keys where patient_id = $1', [record.id]);
    if (keys.length) {
      await db.query(
        `insert into identity_keys (patient_id, key, value)
         select $1, k, v from unnest($2::text[], $3::text[]) as t(k, v) on conflict do nothing`,
        [record.id, keys.map((k) => k.key), keys.map((k) => k.value)],
      );
    }
  }
  counts.change(matcher, record, previous);
}

export interface StoredCandidate {
  record: MatchRecord;
  personId: string;
}

/**
 * $1 record id, $2 keys, $3 values, $4 maxBlockSize + 1 (exported for the benchmark's EXPLAIN).
 * `blocks` is materialized: inlined, PostgreSQL ran each key's index probe twice (once for the size
 * test, once for the ids).
 */
export const CANDIDATE_QUERY = `with blocks as materialized (
  select (select array_agg(i.patient_id) from
            (select patient_id from identity_keys i where i.key = k.key and i.value = k.value limit $4) i) as ids
  from unnest($2::text[], $3::text[]) as k(key, value)
), ids as (
  select distinct unnest(ids) as id from blocks where cardinality(ids) < $4
)
select r.record, l.person_id from ids
join identity_records r on r.patient_id = ids.id
join identity_links l on l.patient_id = ids.id
where ids.id <> $1
  and not exists (select 1 from identity_not_same n
                  where (n.a = $1 and n.b = ids.id) or (n.a = ids.id and n.b = $1))`;

/**
 * The linked records that share a blocking key with `record`, in one round trip: a key whose block is
 * larger than `maxBlockSize` is skipped (a huge block is a useless block), and pairs a steward marked
 * "not the same person" are left out.
 */
export async function loadCandidates(
  db: Queryable,
  recordId: string,
  keys: BlockingKey[],
  maxBlockSize: number,
): Promise<StoredCandidate[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query(CANDIDATE_QUERY, [
    recordId,
    keys.map((k) => k.key),
    keys.map((k) => k.value),
    maxBlockSize + 1,
  ]);
  return rows.map((r) => ({
    record: (typeof r.record === 'string' ? JSON.parse(r.record) : r.record) as MatchRecord,
    personId: r.person_id as string,
  }));
}
