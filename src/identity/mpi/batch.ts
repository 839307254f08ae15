import { randomUUID } from 'node:crypto';
import type { Patient, Person } from '@medplum/fhirtypes';
import type { FhirStore } from '../../store';
import { rideOrRun } from '../../store/riders';
import type { BlockingKey } from '../matcher';
import { onlineBlockLimit, requiredSharedBlocks, scoreCandidates, sharedByBlocks } from '../online';
import { toStoredForm, type NormalizedCandidate } from '../normalize/stored-form';
import type { MatchRecord } from '../types';
import { refreshPersons, SYSTEM_ACTOR, type Assurance, type LinkRow, type MpiContext } from './core';
import { buildPerson, type SourceRecord } from './golden';
import { BY_PRIMARY_KEY, candidateRecord } from './db-index';
import { patientToMatchRecord } from './patient-record';
import { recordKeys } from './record-keys';
import { ValueCountBuffer } from './value-counts';

/**
 * Stores every new record's keys and match record and reads the blocks of all their keys, in one
 * statement. $1 keys as [{p, k, v}], $2 records as [{p, r, s, n}] (n: the stored normalized form), $3 maxBlockSize. Rows of kind 'b' are
 * blocks (key, value, ids of the others), rows of kind 'c' the linked records in them. The
 * ('c' rows carry the record's id in `key`). The snapshot predates the new rows, so blocks hold stored records only, as in
 * `storeRecordAndLoadCandidates`.
 */
export const STORE_MANY_AND_BLOCKS = `with new_keys as (
  insert into identity_keys (patient_id, key, value)
  select x.p, x.k, x.v from jsonb_to_recordset($1::jsonb) as x(p text, k text, v text) on conflict do nothing
), stored as (
  insert into identity_records (patient_id, person_id, record, source, updated_at, norm)
  select x.p, '', x.r, x.s, now(), x.n from jsonb_to_recordset($2::jsonb) as x(p text, r jsonb, s text, n jsonb)
  on conflict (patient_id) do update set record = excluded.record, norm = excluded.norm, source = excluded.source,
    updated_at = now()
), blocks as materialized (
  select k.key, k.value,
    (select array_agg(i.patient_id) from
       (select patient_id from identity_keys i where i.key = k.key and i.value = k.value limit $3) i) as ids
  from (select distinct x.k as key, x.v as value from jsonb_to_recordset($1::jsonb) as x(p text, k text, v text)) k
), ids as (
  select distinct unnest(ids) as id from blocks where cardinality(ids) < $3
)
select 'b' as kind, b.key, b.value, coalesce(b.ids, '{}') as ids, null::jsonb as record, null::text as person_id
from blocks b where coalesce(cardinality(b.ids), 0) < $3
union all
select 'c', ids.id, null::text, null::text[], r.record, r.person_id from ids
${BY_PRIMARY_KEY}`;

const blockKey = (k: BlockingKey): string => `${k.key}\u0000${k.value}`;

/**
 * Identity resolution for Patients created together (a transaction Bundle's creates), with the
 * decisions the one-at-a-time path (`onPatientWrite`) would make in Bundle order: each record is
 * compared with the stored records sharing a key and with the Bundle's earlier records sharing one,
 * so two records of one person in one Bundle get one Person. What costs round trips is done once for
 * the set: one statement stores keys and records and reads every block; the links ride in the
 * statement that creates the new Persons (one `createMany`).
 *
 * Only for Patients whose versions were just created (version 1): no identity rows can exist for
 * them (identity rows are keyed by Patient ids written through the store, and ids are never reused),
 * and their blocking keys are already locked (`lockPatientsKeys`).
 */
export async function onPatientsCreated(
  store: FhirStore,
  ctx: MpiContext,
  patients: Patient[],
): Promise<void> {
  const db = store.queryable;
  const counts = (ctx.counts ??= new ValueCountBuffer(store.db.pool));
  const maxBlockSize = onlineBlockLimit(ctx.matcher);
  const items = patients.map((p) => {
    const record = patientToMatchRecord(p);
    const derived = recordKeys(ctx.matcher, record);
    return {
      record,
      keys: derived.keys,
      norm: toStoredForm(record, derived.normalized),
      source: p.meta?.source,
    };
  });
  const { rows } = await db.query({
    name: 'kith-identity-store-many',
    text: STORE_MANY_AND_BLOCKS,
    values: [
      JSON.stringify(items.flatMap((i) => i.keys.map((k) => ({ p: i.record.id, k: k.key, v: k.value })))),
      JSON.stringify(items.map((i) => ({ p: i.record.id, r: i.record, s: i.source ?? null, n: i.norm }))),
      maxBlockSize,
    ],
  });
  const blocks = new Map<string, string[]>();
  const stored = new Map<string, MatchRecord | NormalizedCandidate>();
  const personOf = new Map<string, string>();
  for (const r of rows) {
    if (r.kind === 'b') blocks.set(`${r.key}\u0000${r.value}`, r.ids as string[]);
    else {
      stored.set(r.key, candidateRecord(r.record));
      personOf.set(r.key, r.person_id);
    }
  }

  const now = new Date().toISOString();
  const links: LinkRow[] = [];
  const reviews: { patient: string; candidate: string; person: string; score: number; evidence: unknown }[] =
    [];
  const fresh = new Map<string, { links: LinkRow[]; records: SourceRecord[] }>();
  const refresh = new Set<string>();
  // The Bundle's earlier records per key: online, each would be stored when the next is written.
  const earlier = new Map<string, MatchRecord[]>();
  for (const item of items) {
    const { record } = item;
    const mine = new Set(item.keys.map(blockKey));
    // Stored records by id, the Bundle's earlier records as themselves.
    const read: (string | MatchRecord)[][] = [];
    for (const k of mine) {
      // A block the statement left out is too large already; else it is too large when the stored
      // records and the Bundle's earlier ones together reach the limit, as one at a time.
      const inStore = blocks.get(k);
      const inBundle = earlier.get(k) ?? [];
      if (!inStore || inStore.length + inBundle.length >= maxBlockSize) continue;
      read.push([...inStore, ...inBundle]);
    }
    const others: (MatchRecord | NormalizedCandidate)[] = [];
    for (const m of sharedByBlocks(read, requiredSharedBlocks(ctx.matcher, read.length))) {
      if (typeof m !== 'string') others.push(m);
      else if (stored.has(m)) others.push(stored.get(m) as MatchRecord | NormalizedCandidate);
    }
    const candidates = scoreCandidates(record, others, ctx.matcher);
    const best = candidates[0];
    let link: LinkRow;
    if (best && best.result.decision === 'match') {
      link = {
        patient_id: record.id,
        person_id: personOf.get(best.id) as string,
        assurance: 'level3',
        rule_version: best.result.rulesVersion,
        score: best.result.score,
        evidence: best.result,
        linked_at: now,
        linked_by: SYSTEM_ACTOR,
      };
    } else {
      const possible = candidates.filter((c) => c.result.decision === 'possible');
      const assurance: Assurance = possible.length ? 'level2' : 'level1';
      link = {
        patient_id: record.id,
        person_id: randomUUID(),
        assurance,
        rule_version: ctx.matcher.rules.version,
        score: null,
        evidence: null,
        linked_at: now,
        linked_by: SYSTEM_ACTOR,
      };
      fresh.set(link.person_id, { links: [], records: [] });
      // One review per candidate Person (its best record), as onPatientWrite does.
      const seen = new Set<string>();
      for (const c of possible) {
        const person = personOf.get(c.id) as string;
        if (seen.has(person)) continue;
        seen.add(person);
        reviews.push({
          patient: record.id,
          candidate: c.id,
          person,
          score: c.result.score,
          evidence: c.result,
        });
      }
    }
    links.push(link);
    personOf.set(record.id, link.person_id);
    const founded = fresh.get(link.person_id);
    if (founded) {
      founded.links.push(link);
      founded.records.push({ record, source: item.source, updatedAt: now });
    } else refresh.add(link.person_id);
    for (const k of mine) {
      const list = earlier.get(k);
      if (list) list.push(record);
      else earlier.set(k, [record]);
    }
    counts.change(ctx.matcher, record, undefined);
  }

  await rideOrRun(db, {
    sql: `insert into identity_links (patient_id, person_id, assurance, rule_version, score, evidence, linked_at, linked_by)
      select x.patient_id, x.person_id, x.assurance, x.rule_version, x.score, x.evidence, x.linked_at, x.linked_by
      from jsonb_to_recordset($1::jsonb) as x(patient_id text, person_id text, assurance text, rule_version text,
        score double precision, evidence jsonb, linked_at timestamptz, linked_by text)`,
    values: [JSON.stringify(links)],
  });
  await rideOrRun(db, {
    sql: `update identity_records r set person_id = x.person_id
      from jsonb_to_recordset($1::jsonb) as x(patient_id text, person_id text) where r.patient_id = x.patient_id`,
    values: [JSON.stringify(links.map((l) => ({ patient_id: l.patient_id, person_id: l.person_id })))],
  });
  if (reviews.length)
    await rideOrRun(db, {
      sql: `insert into identity_review (patient_id, candidate_patient_id, candidate_person_id, score, evidence)
        select x.p, x.c, x.n, x.s, x.e from jsonb_to_recordset($1::jsonb) as x(p text, c text, n text, s double precision, e jsonb)
        on conflict do nothing`,
      values: [
        JSON.stringify(
          reviews.map((r) => ({ p: r.patient, c: r.candidate, n: r.person, s: r.score, e: r.evidence })),
        ),
      ],
    });
  const persons: Person[] = [...fresh].map(([id, f]) =>
    buildPerson(
      id,
      f.records,
      f.links.map((l) => ({ target: { reference: `Patient/${l.patient_id}` }, assurance: l.assurance })),
      ctx.survivorship,
    ),
  );
  await store.createMany(persons);
  // Stored Persons that gained a record are rewritten from their links (now including the new ones).
  await refreshPersons(store, ctx, [...refresh]);
}
