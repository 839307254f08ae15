import type { Queryable } from '../../store';
import type { BlockingKey, Matcher } from '../matcher';
import {
  fromStoredForm,
  isStoredForm,
  STORED_FORM_VERSION,
  type NormalizedCandidate,
  type StoredForm,
} from '../normalize/stored-form';
import type { MatchRecord } from '../types';
import { recordKeys } from './record-keys';

/** True when `previous` had exactly these blocking keys (its stored key rows stay right). */
export function sameKeys(matcher: Matcher, keys: BlockingKey[], previous: MatchRecord | undefined): boolean {
  if (!previous) return false;
  const before = recordKeys(matcher, previous).keys;
  return (
    before.length === keys.length &&
    before.every((k, i) => k.key === keys[i].key && k.value === keys[i].value)
  );
}

export interface StoredCandidate {
  /** Normalized already when its stored form was there (see CANDIDATE_RECORD), else raw. */
  record: MatchRecord | NormalizedCandidate;
  personId: string;
}

/** A candidate row's `record` (CANDIDATE_RECORD) ready for scoreCandidates. */
export function candidateRecord(value: unknown): MatchRecord | NormalizedCandidate {
  const r = (typeof value === 'string' ? JSON.parse(value) : value) as MatchRecord | StoredForm;
  return isStoredForm(r) ? fromStoredForm(r) : r;
}

function toCandidate(row: any): StoredCandidate {
  return { record: candidateRecord(row.record), personId: row.person_id as string };
}

/**
 * A candidate's stored normalized form, or its raw record where there is none of this version (rows
 * written before the column, or by another normalization version): candidates are not normalized
 * again on every request.
 */
export const CANDIDATE_RECORD = `case when norm->>'v' = '${STORED_FORM_VERSION}' then norm else record end`;

/**
 * A candidate's record and Person, looked up by primary key. identity_records.person_id follows the
 * link (setLink writes both in one transaction), so the link table is not read: one lookup per
 * candidate, not two. As a lateral subquery kept apart by `offset 0`, it stays an index lookup: as a
 * plain join, a cached plan made while the tables were small hashed a sequential scan for every write.
 * A record whose link is not written yet (person_id '') is no candidate, as it was with the join.
 */
export const BY_PRIMARY_KEY = `cross join lateral (select ${CANDIDATE_RECORD} as record, person_id from identity_records
  where patient_id = ids.id and person_id <> '' offset 0) r`;

/**
 * `minShared` is the placeholder of the rules' onlineMinSharedBlocks: an id is a candidate when it is
 * in that many of the blocks read, or in all of them when fewer were read (requiredSharedBlocks).
 * `blocks` is materialized: inlined, PostgreSQL ran each key's index probe twice (once for the size
 * test, once for the ids).
 */
const candidateQuery = (minShared: string): string => `with blocks as materialized (
  select (select array_agg(i.patient_id) from
            (select patient_id from identity_keys i where i.key = k.key and i.value = k.value limit $4) i) as ids
  from unnest($2::text[], $3::text[]) as k(key, value)
), ids as (
  select u.id from blocks cross join lateral unnest(blocks.ids) as u(id)
  where cardinality(blocks.ids) < $4
  group by u.id
  having count(*) >= least(${minShared}::int, (select count(*) from blocks b where coalesce(cardinality(b.ids), 0) < $4))
)
select r.record, r.person_id from ids
${BY_PRIMARY_KEY}
where ids.id <> $1
  and not exists (select 1 from identity_not_same n
                  where (n.a = $1 and n.b = ids.id) or (n.a = ids.id and n.b = $1))`;

/** $1 record id, $2 keys, $3 values, $4 maxBlockSize + 1, $5 onlineMinSharedBlocks (exported for the benchmark's EXPLAIN). */
export const CANDIDATE_QUERY = candidateQuery('$5');

/**
 * The linked records that share a blocking key with `record`, in one round trip: a key whose block is
 * larger than `maxBlockSize` is skipped (a huge block is a useless block), a record in fewer of the
 * blocks read than `minSharedBlocks` asks is left out, and so are pairs a steward marked "not the same
 * person".
 */
export async function loadCandidates(
  db: Queryable,
  recordId: string,
  keys: BlockingKey[],
  maxBlockSize: number,
  minSharedBlocks: number,
): Promise<StoredCandidate[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query(CANDIDATE_QUERY, [
    recordId,
    keys.map((k) => k.key),
    keys.map((k) => k.value),
    maxBlockSize + 1,
    minSharedBlocks,
  ]);
  return rows.map(toCandidate);
}

/**
 * The write path in one round trip: stores a record's blocking keys (all of them for a new record;
 * for a record whose keys changed, the ones it lacked, and the ones it no longer has go), its match
 * record, and reads its candidates, as `loadCandidates` does. Keys are only added or only removed, so
 * the CTEs (run in no set order) never undo each other. The read's snapshot predates the record's
 * own rows, which it leaves out anyway; so a block counts the others only, and skipping one "larger
 * than maxBlockSize" compares the others with maxBlockSize - 1, as `loadCandidates` does with the
 * record in the block.
 */
export async function storeRecordAndLoadCandidates(
  db: Queryable,
  r: {
    recordId: string;
    personId: string;
    record: MatchRecord;
    /** The record's stored normalized form. */
    norm: StoredForm;
    source: string | undefined;
    keys: BlockingKey[];
    /** False when the stored keys are already these (an update that kept them). */
    writeKeys: boolean;
    maxBlockSize: number;
    /** The rules' onlineMinSharedBlocks. */
    minSharedBlocks: number;
  },
): Promise<StoredCandidate[]> {
  const { rows } = await db.query({
    name: 'kith-identity-store-and-candidates',
    text: `with old_keys as (
      delete from identity_keys o where $7::boolean and o.patient_id = $1
        and (o.key, o.value) not in (select k, v from unnest($2::text[], $3::text[]) as t(k, v))
    ), new_keys as (
      insert into identity_keys (patient_id, key, value)
      select $1, k, v from unnest($2::text[], $3::text[]) as t(k, v) where $7::boolean on conflict do nothing
    ), stored as (
      insert into identity_records (patient_id, person_id, record, source, updated_at, norm)
      values ($1, $5, $6::jsonb, $8, now(), $9::jsonb)
      on conflict (patient_id) do update set record = excluded.record, norm = excluded.norm,
        source = excluded.source, updated_at = now()
    ), ${candidateQuery('$10').replace(/^with /, '')}`,
    values: [
      r.recordId,
      r.keys.map((k) => k.key),
      r.keys.map((k) => k.value),
      r.maxBlockSize,
      r.personId,
      JSON.stringify(r.record),
      r.writeKeys,
      r.source ?? null,
      JSON.stringify(r.norm),
      r.minSharedBlocks,
    ],
  });
  return rows.map(toCandidate);
}
