import { createHash, randomUUID } from 'node:crypto';
import type { AuditEvent, Patient, Person, PersonLink } from '@medplum/fhirtypes';
import { recordAudit } from '../../audit';
import type { FhirStore, Queryable } from '../../store';
import type { Matcher } from '../matcher';
import { onlineBlockLimit, scoreCandidates, type Candidate } from '../online';
import type { PairScore } from '../score/model';
import type { MatchRecord } from '../types';
import {
  indexRecord,
  loadCandidates,
  sameKeys,
  storeRecordAndLoadCandidates,
  type StoredCandidate,
} from './db-index';
import { buildPerson, type SourceRecord, type SurvivorshipOptions } from './golden';
import { patientToMatchRecord } from './patient-record';
import type { TermFrequencyCache } from './term-frequencies';
import { ValueCountBuffer } from './value-counts';

/**
 * Person.link.assurance as Kith uses it:
 * - level4: confirmed by a data steward (link, merge, review decision);
 * - level3: linked automatically, score above the rules' `match` threshold;
 * - level2: founding record of its own Person while a review task proposes another Person for it;
 * - level1: founding record of its own Person with no candidate above the `possible` threshold.
 */
export type Assurance = 'level1' | 'level2' | 'level3' | 'level4';

export interface LinkRow {
  patient_id: string;
  person_id: string;
  assurance: Assurance;
  rule_version: string | null;
  score: number | null;
  evidence: unknown;
  linked_at: string;
  linked_by: string;
}

export interface MpiContext {
  matcher: Matcher;
  survivorship: SurvivorshipOptions;
  /** Value frequency counts written in the background; made on first use when absent. */
  counts?: ValueCountBuffer;
  /** The snapshot of those counts `matcher` reads its term-frequency weights from (when it does). */
  termFrequencies?: TermFrequencyCache;
}

export const SYSTEM_ACTOR = 'system:identity';

function actorOf(store: FhirStore): string {
  return store.caller ? `${store.caller.kind}:${store.caller.subject}` : SYSTEM_ACTOR;
}

/** A signed 64-bit advisory lock id for one blocking key value. */
function lockId(key: string, value: string): string {
  return createHash('sha256')
    .update(`identity\u0000${key}\u0000${value}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
}

/** Advisory lock ids of these blocking keys, sorted, so two writers take them in one order and never deadlock. */
function lockIds(keys: { key: string; value: string }[]): string[] {
  return [...new Set(keys.map((k) => lockId(k.key, k.value)))].sort();
}

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/**
 * Takes the blocking-key locks of all these Patients at once, in one sorted order, before a
 * transaction Bundle matches them one by one. Taken one Patient at a time, two Bundles each holding
 * some keys the other wants would deadlock (PostgreSQL then fails one after a second's wait); the
 * per-Patient locks later in the same transaction are already held.
 */
export async function lockPatientsKeys(db: Queryable, ctx: MpiContext, patients: Patient[]): Promise<void> {
  if (patients.length < 2) return;
  const ids = lockIds(patients.flatMap((p) => ctx.matcher.blockingKeys(patientToMatchRecord(p))));
  if (ids.length === 0) return;
  await db.query({
    name: 'kith-identity-lock-many',
    text: 'select count(pg_advisory_xact_lock(k)) from (select k from unnest($1::bigint[]) as t(k) order by k) s',
    values: [ids],
  });
}

export async function linkOf(db: Queryable, patientId: string): Promise<LinkRow | undefined> {
  const { rows } = await db.query('select * from identity_links where patient_id = $1', [patientId]);
  return rows[0] ? { ...rows[0], evidence: json(rows[0].evidence) } : undefined;
}

export async function linksOfPerson(db: Queryable, personId: string): Promise<LinkRow[]> {
  const { rows } = await db.query(
    'select * from identity_links where person_id = $1 order by linked_at, patient_id',
    [personId],
  );
  return rows.map((r) => ({ ...r, evidence: json(r.evidence) }));
}

export async function setLink(
  db: Queryable,
  row: Omit<LinkRow, 'linked_at'> & { linked_at?: string },
): Promise<void> {
  await db.query(
    `with link as (
       insert into identity_links (patient_id, person_id, assurance, rule_version, score, evidence, linked_at, linked_by)
       values ($1, $2, $3, $4, $5, $6::jsonb, coalesce($7::timestamptz, now()), $8)
       on conflict (patient_id) do update set person_id = excluded.person_id, assurance = excluded.assurance,
         rule_version = excluded.rule_version, score = excluded.score, evidence = excluded.evidence,
         linked_at = excluded.linked_at, linked_by = excluded.linked_by
       returning patient_id, person_id)
     update identity_records r set person_id = link.person_id from link where r.patient_id = link.patient_id`,
    [
      row.patient_id,
      row.person_id,
      row.assurance,
      row.rule_version,
      row.score,
      row.evidence === undefined || row.evidence === null ? null : JSON.stringify(row.evidence),
      row.linked_at ?? null,
      row.linked_by,
    ],
  );
}

/**
 * Rewrites the Person resource from its current links and linked records (golden record by
 * survivorship). `fresh` gives them for a Person this write founds, which is not stored yet.
 */
export async function refreshPerson(
  store: FhirStore,
  ctx: MpiContext,
  personId: string,
  fresh?: { link: LinkRow; record: SourceRecord },
): Promise<Person> {
  let links: LinkRow[];
  let records: SourceRecord[];
  if (fresh) {
    links = [fresh.link];
    records = [fresh.record];
  } else {
    const { rows } = await store.queryable.query(
      `select l.*, r.record, r.source, r.updated_at as record_updated_at
       from identity_links l left join identity_records r on r.patient_id = l.patient_id
       where l.person_id = $1 order by l.linked_at, l.patient_id`,
      [personId],
    );
    links = rows.map((r) => ({ ...r, evidence: json(r.evidence) }));
    records = rows
      .filter((r) => r.record !== null)
      .map((r) => ({
        record: json<MatchRecord>(r.record),
        source: r.source ?? undefined,
        updatedAt: new Date(r.record_updated_at).toISOString(),
      }));
  }
  const personLinks: PersonLink[] = links.map((l) => ({
    target: { reference: `Patient/${l.patient_id}` },
    assurance: l.assurance,
  }));
  const person = buildPerson(personId, records, personLinks, ctx.survivorship);
  // update() creates a Person that is not there yet, under the id given.
  if (fresh) await store.create(person, personId);
  else await store.update(person);
  return person;
}

export interface MatchOutcome {
  personId: string;
  assurance: Assurance;
  candidates: Candidate[];
  reviews: number;
}

/** Identity bookkeeping for one Patient write; runs inside the write's transaction. */
export async function onPatientWrite(
  store: FhirStore,
  ctx: MpiContext,
  patient: Patient,
  source: string | undefined,
): Promise<MatchOutcome> {
  const db = store.queryable;
  const counts = (ctx.counts ??= new ValueCountBuffer(store.db.pool));
  const record = patientToMatchRecord(patient);
  const keys = ctx.matcher.blockingKeys(record);
  // One round trip: lock this record's blocking keys for the rest of the transaction (two similar
  // records written at once then see each other's candidates), and read its current state.
  const { rows: state } = await db.query(
    `select (select count(pg_advisory_xact_lock(k)) from (select k from unnest($2::bigint[]) as t(k) order by k) s) as locks,
            r.record, l.person_id, l.assurance,
            (select count(*) from identity_links m where m.person_id = l.person_id) as members
     from (select $1::text as id) x
     left join identity_records r on r.patient_id = x.id
     left join identity_links l on l.patient_id = x.id`,
    [record.id, lockIds(keys)],
  );
  const previous = state[0].record ? json<MatchRecord>(state[0].record) : undefined;
  const existing = state[0].person_id
    ? {
        person_id: state[0].person_id as string,
        assurance: state[0].assurance as Assurance,
        members: Number(state[0].members),
      }
    : undefined;
  const maxBlockSize = onlineBlockLimit(ctx.matcher);
  let stored: StoredCandidate[];
  if (!previous || sameKeys(ctx.matcher, keys, previous)) {
    counts.change(ctx.matcher, record, previous);
    stored = await storeRecordAndLoadCandidates(db, {
      recordId: record.id,
      personId: existing?.person_id ?? '',
      record,
      source,
      keys,
      insertKeys: !previous,
      maxBlockSize,
    });
  } else {
    // Changed keys: the old rows go first, in statements of their own.
    await indexRecord(db, ctx.matcher, record, previous, counts);
    await db.query(
      `insert into identity_records (patient_id, person_id, record, source, updated_at) values ($1, $2, $3::jsonb, $4, now())
       on conflict (patient_id) do update set record = excluded.record, source = excluded.source, updated_at = now()`,
      [record.id, existing?.person_id ?? '', JSON.stringify(record), source ?? null],
    );
    stored = await loadCandidates(db, record.id, keys, maxBlockSize);
  }
  const persons = new Map(stored.map((c) => [c.record.id, c.personId]));
  const candidates = scoreCandidates(
    record,
    stored.map((c) => c.record),
    ctx.matcher,
  );

  if (existing) {
    const alone = existing.members === 1;
    const best = candidates.find((c) => persons.get(c.id) !== existing.person_id);
    // A record alone in its Person (and not steward-confirmed) may now match someone: move it.
    if (alone && existing.assurance !== 'level4' && best && best.result.decision === 'match') {
      const target = persons.get(best.id) as string;
      await linkTo(db, record.id, target, 'level3', best.result);
      await refreshPerson(store, ctx, existing.person_id);
      await refreshPerson(store, ctx, target);
      return { personId: target, assurance: 'level3', candidates, reviews: 0 };
    }
    await refreshPerson(store, ctx, existing.person_id);
    return { personId: existing.person_id, assurance: existing.assurance, candidates, reviews: 0 };
  }

  const best = candidates[0];
  if (best && best.result.decision === 'match') {
    const personId = persons.get(best.id) as string;
    await linkTo(db, record.id, personId, 'level3', best.result);
    await refreshPerson(store, ctx, personId);
    return { personId, assurance: 'level3', candidates, reviews: 0 };
  }
  const personId = randomUUID();
  const possible = candidates.filter((c) => c.result.decision === 'possible');
  const assurance: Assurance = possible.length ? 'level2' : 'level1';
  const link: LinkRow = {
    patient_id: record.id,
    person_id: personId,
    assurance,
    rule_version: ctx.matcher.rules.version,
    score: null,
    evidence: null,
    linked_at: new Date().toISOString(),
    linked_by: SYSTEM_ACTOR,
  };
  await setLink(db, link);
  // One review task per candidate Person (its best record), so a steward sees each choice once.
  const seen = new Set<string>();
  let reviews = 0;
  for (const c of possible) {
    const pid = persons.get(c.id) as string;
    if (seen.has(pid)) continue;
    seen.add(pid);
    await db.query(
      `insert into identity_review (patient_id, candidate_patient_id, candidate_person_id, score, evidence)
       values ($1, $2, $3, $4, $5::jsonb) on conflict do nothing`,
      [record.id, c.id, pid, c.result.score, JSON.stringify(c.result)],
    );
    reviews++;
  }
  await refreshPerson(store, ctx, personId, {
    link,
    record: { record, source, updatedAt: link.linked_at },
  });
  return { personId, assurance, candidates, reviews };
}

async function linkTo(
  db: Queryable,
  patientId: string,
  personId: string,
  assurance: Assurance,
  result: PairScore,
): Promise<void> {
  await setLink(db, {
    patient_id: patientId,
    person_id: personId,
    assurance,
    rule_version: result.rulesVersion,
    score: result.score,
    evidence: result,
    linked_by: SYSTEM_ACTOR,
  });
}

/** Writes an AuditEvent for a steward action into the current transaction's audit chain. */
export async function auditIdentity(
  store: FhirStore,
  action: string,
  entities: string[],
  detail: string,
): Promise<void> {
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    type: {
      system: 'http://dicom.nema.org/resources/ontology/DCM',
      code: '110110',
      display: 'Patient Record',
    },
    subtype: [{ system: 'https://kith.dev/fhir/CodeSystem/identity-action', code: action }],
    action: 'U',
    recorded: new Date().toISOString(),
    outcome: '0',
    agent: [
      {
        requestor: true,
        who: { identifier: { value: actorOf(store) }, display: store.caller?.displayName },
      },
    ],
    source: { observer: { display: 'kith identity' } },
    entity: entities.map((reference) => ({ what: { reference }, description: detail })),
  };
  await recordAudit(store.queryable, event);
}

export { actorOf };
