import type { Patient } from '@medplum/fhirtypes';
import type { Queryable } from '../../store';
import type { BlockingKey, Matcher } from '../matcher';
import { onlineBlockLimit, requiredSharedBlocks, sharedByBlocks } from '../online';
import { toStoredForm, type StoredForm } from '../normalize/stored-form';
import type { MatchRecord } from '../types';
import type { MpiContext } from './core';
import { BY_PRIMARY_KEY, candidateRecord, sameKeys, type StoredCandidate } from './db-index';
import { patientToMatchRecord } from './patient-record';
import { recordKeys } from './record-keys';

/**
 * Stores the records and keys of Patients updated together and reads, from the snapshot before
 * them, every block of their new keys (up to `$3` ids each) with the records and links in them,
 * and the "not the same person" pairs they are part of. $1 keys as [{p, k, v}], $2 records as
 * [{p, w (write keys), person, r, s, n}]. Keys are only added or only removed per record, so the
 * CTEs (run in no set order) never undo each other.
 */
const STORE_UPDATES_AND_BLOCKS = `with new_keys as materialized (
  select x.p, x.k, x.v from jsonb_to_recordset($1::jsonb) as x(p text, k text, v text)
), items as materialized (
  select * from jsonb_to_recordset($2::jsonb) as x(p text, w boolean, person text, r jsonb, s text, n jsonb)
), old_keys as (
  delete from identity_keys o using items i
  where i.w and o.patient_id = i.p
    and not exists (select 1 from new_keys n where n.p = o.patient_id and n.k = o.key and n.v = o.value)
), added_keys as (
  insert into identity_keys (patient_id, key, value)
  select n.p, n.k, n.v from new_keys n join items i on i.p = n.p where i.w on conflict do nothing
), stored as (
  insert into identity_records (patient_id, person_id, record, source, updated_at, norm)
  select i.p, i.person, i.r, i.s, now(), i.n from items i
  on conflict (patient_id) do update set record = excluded.record, norm = excluded.norm,
    source = excluded.source, updated_at = now()
), blocks as materialized (
  select k.key, k.value,
    (select array_agg(i.patient_id) from
       (select patient_id from identity_keys i where i.key = k.key and i.value = k.value limit $3) i) as ids
  from (select distinct n.k as key, n.v as value from new_keys n) k
), ids as (
  select distinct unnest(ids) as id from blocks
)
select 'b' as kind, b.key, b.value, coalesce(b.ids, '{}') as ids, null::jsonb as record, null::text as person_id
from blocks b
union all
select 'c', ids.id, null::text, null::text[], r.record, r.person_id from ids
${BY_PRIMARY_KEY}
union all
select 'n', n.a, n.b, null::text[], null::jsonb, null::text from identity_not_same n
where n.a in (select p from items) or n.b in (select p from items)`;

interface Item {
  id: string;
  keys: BlockingKey[];
  writeKeys: boolean;
  norm: StoredForm;
  /** Its Person once decided (set by `settle`), for the later records' candidates. */
  personId?: string;
}

const blockKey = (key: string, value: string): string => `${key}\u0000${value}`;

/**
 * Identity resolution's store-and-candidates step for Patients updated together (`updateMany`),
 * in one statement for the set instead of one per Patient. Each record's candidates are those the
 * one-at-a-time statement would have read at its turn: the snapshot before the set, with the
 * records decided before it in the set (their new keys, records and Persons) in place of their old
 * ones. The per-record decisions (onPatientWrite) are unchanged; they take their candidates from
 * here and report their Person back (`settle`) in order.
 */
export class UpdateSetCandidates {
  private readonly items = new Map<string, Item>();
  private readonly order: string[] = [];
  private readonly blocks = new Map<string, string[]>();
  private readonly stored = new Map<string, StoredCandidate>();
  private readonly notSame = new Set<string>();
  private done = 0;

  private readonly maxBlockSize: number;

  private constructor(private readonly matcher: Matcher) {
    this.maxBlockSize = onlineBlockLimit(matcher);
  }

  /**
   * Stores every record and key of `patients` (in write order, each with its record as stored
   * before and its current Person) and reads what their candidates need.
   */
  static async load(
    db: Queryable,
    ctx: MpiContext,
    patients: { patient: Patient; previous: MatchRecord | undefined; personId: string | undefined }[],
  ): Promise<UpdateSetCandidates> {
    const set = new UpdateSetCandidates(ctx.matcher);
    const rows: { p: string; w: boolean; person: string; r: MatchRecord; s: string | null; n: StoredForm }[] =
      [];
    const keyRows: { p: string; k: string; v: string }[] = [];
    for (const { patient, previous, personId } of patients) {
      const record = patientToMatchRecord(patient);
      const derived = recordKeys(ctx.matcher, record);
      const writeKeys = !sameKeys(ctx.matcher, derived.keys, previous);
      const norm = toStoredForm(record, derived.normalized);
      set.items.set(record.id, { id: record.id, keys: derived.keys, writeKeys, norm });
      set.order.push(record.id);
      rows.push({
        p: record.id,
        w: writeKeys,
        person: personId ?? '',
        r: record,
        s: patient.meta?.source ?? null,
        n: norm,
      });
      for (const k of derived.keys) keyRows.push({ p: record.id, k: k.key, v: k.value });
    }
    const { rows: found } = await db.query({
      name: 'kith-identity-store-updates',
      text: STORE_UPDATES_AND_BLOCKS,
      // Enough ids per block to know its size at each record's turn: the set can take out one
      // id per record before it.
      values: [JSON.stringify(keyRows), JSON.stringify(rows), set.maxBlockSize + patients.length],
    });
    for (const r of found) {
      if (r.kind === 'b') set.blocks.set(blockKey(r.key, r.value), r.ids as string[]);
      else if (r.kind === 'c')
        set.stored.set(r.key, { record: candidateRecord(r.record), personId: r.person_id as string });
      else set.notSame.add(`${r.key}\u0000${r.value}`);
    }
    return set;
  }

  /** True when `patientId` is the set's next record to resolve (its candidates are here). */
  isNext(patientId: string): boolean {
    return this.order[this.done] === patientId;
  }

  /** The candidates of the next record in the set, as its own statement would read them now. */
  candidatesOf(patientId: string): StoredCandidate[] {
    if (this.order[this.done] !== patientId)
      throw new Error(`identity: ${patientId} resolved out of its set's order`);
    const before = this.order.slice(0, this.done).map((id) => this.items.get(id) as Item);
    const read: Set<string>[] = [];
    for (const k of (this.items.get(patientId) as Item).keys) {
      const key = blockKey(k.key, k.value);
      const members = new Set(this.blocks.get(key) ?? []);
      for (const b of before) {
        if (b.keys.some((x) => blockKey(x.key, x.value) === key)) members.add(b.id);
        else if (b.writeKeys) members.delete(b.id);
      }
      if (members.size >= this.maxBlockSize) continue;
      read.push(members);
    }
    const out: StoredCandidate[] = [];
    for (const id of sharedByBlocks(read, requiredSharedBlocks(this.matcher, read.length))) {
      if (id === patientId) continue;
      if (this.notSame.has(`${patientId}\u0000${id}`) || this.notSame.has(`${id}\u0000${patientId}`))
        continue;
      const decided = before.find((b) => b.id === id);
      if (decided) {
        out.push({
          record: candidateRecord(JSON.parse(JSON.stringify(decided.norm))),
          personId: decided.personId as string,
        });
        continue;
      }
      const stored = this.stored.get(id);
      if (stored) out.push(stored);
    }
    return out;
  }

  /** The record's Person as decided; the next record's turn comes. */
  settle(patientId: string, personId: string): void {
    (this.items.get(patientId) as Item).personId = personId;
    this.done++;
  }
}
