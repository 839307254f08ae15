import { randomUUID } from 'node:crypto';
import type { AuditEvent, Patient, Person } from '@medplum/fhirtypes';
import { recordAudit } from '../../audit';
import type { FhirStore, Queryable, StoredVersion } from '../../store';
import { toStoredVersion } from '../../store/repository';
import { rideOrRun, TxConnection } from '../../store/riders';
import type { Matcher } from '../matcher';
import { onlineBlockLimit, onlineMinSharedBlocks, scoreCandidates, type Candidate } from '../online';
import { toStoredForm } from '../normalize/stored-form';
import type { PairScore } from '../score/model';
import type { MatchRecord } from '../types';
import { UpdateSetCandidates } from './batch-update';
import { sameKeys, storeRecordAndLoadCandidates } from './db-index';
import { buildPerson, type SourceRecord, type SurvivorshipOptions } from './golden';
import { patientToMatchRecord } from './patient-record';
import { recordKeys } from './record-keys';
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
  /**
   * false: each Patient of a set of updates (`updateMany`) stores its record and reads its
   * candidates with its own statement, not the set's one (the reference the set path is tested against).
   */
  updateSets?: boolean;
}

export const SYSTEM_ACTOR = 'system:identity';

function actorOf(store: FhirStore): string {
  return store.caller ? `${store.caller.kind}:${store.caller.subject}` : SYSTEM_ACTOR;
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
  const ids = [
    ...new Set(patients.flatMap((p) => recordKeys(ctx.matcher, patientToMatchRecord(p)).locks)),
  ].sort();
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

const LINK_UPSERT_SET = `person_id = excluded.person_id, assurance = excluded.assurance,
         rule_version = excluded.rule_version, score = excluded.score, evidence = excluded.evidence,
         linked_at = excluded.linked_at, linked_by = excluded.linked_by`;

// setLink's two statements over arrays, for several Patients (never one twice: riders of one key
// never share a statement).
const LINKS_MANY_SQL = `insert into identity_links (patient_id, person_id, assurance, rule_version, score, evidence, linked_at, linked_by)
       select x.pa, x.pe, x.a, x.rv, x.s, x.e, coalesce(x.l, now()), x.b
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::jsonb[], $7::timestamptz[], $8::text[])
         as x(pa, pe, a, rv, s, e, l, b)
       on conflict (patient_id) do update set ${LINK_UPSERT_SET}`;
const RECORD_PERSONS_MANY_SQL = `update identity_records r set person_id = x.pe
       from unnest($1::text[], $2::text[]) as x(pa, pe) where r.patient_id = x.pa`;

export async function setLink(
  db: Queryable,
  row: Omit<LinkRow, 'linked_at'> & { linked_at?: string },
): Promise<void> {
  // Two statements that ride in the transaction's next one (the Person write that follows): a
  // later read of these tables in the transaction runs after them.
  const values = [
    row.patient_id,
    row.person_id,
    row.assurance,
    row.rule_version,
    row.score,
    row.evidence === undefined || row.evidence === null ? null : JSON.stringify(row.evidence),
    row.linked_at ?? null,
    row.linked_by,
  ];
  await rideOrRun(db, {
    sql: `insert into identity_links (patient_id, person_id, assurance, rule_version, score, evidence, linked_at, linked_by)
       values ($1, $2, $3, $4, $5, $6::jsonb, coalesce($7::timestamptz, now()), $8)
       on conflict (patient_id) do update set ${LINK_UPSERT_SET}`,
    key: `identity_links:${row.patient_id}`,
    values,
    // Other Patients' links in the same statement go in one insert (a batch of Patient writes).
    many: { sql: LINKS_MANY_SQL, values },
  });
  await rideOrRun(db, {
    sql: 'update identity_records set person_id = $2 where patient_id = $1',
    key: `identity_records:${row.patient_id}`,
    values: [row.patient_id, row.person_id],
    many: { sql: RECORD_PERSONS_MANY_SQL, values: [row.patient_id, row.person_id] },
  });
}

/** A Person's row, locked for its rewrite (handed to update), and its links with their records. $1 Person id. */
export const PERSON_REFRESH_SQL = `with p as (
          select version_id, last_updated, deleted, content::text as json from fhir_resources
          where resource_type = 'Person' and id = $1 for update)
        select p.version_id, p.last_updated, p.deleted, p.json,
          (select json_agg(x order by x.linked_at, x.patient_id) from (
             select l.*, r.record, r.source, r.updated_at as record_updated_at
             from identity_links l left join lateral (
               select record, source, updated_at from identity_records
               where patient_id = l.patient_id offset 0) r on true
             where l.person_id = $1) x) as links
        from (select 1) one left join p on true`;

/**
 * PERSON_REFRESH_SQL as CTEs and a select, for a Person read in the statement that writes a link
 * just set (see `refreshPerson`'s `moved`): its links are the stored ones without that Patient's
 * plus that link when it names this Person ($2 patient, $3 person, $4 assurance, $5 rule version,
 * $6 score, $7 evidence, $8 linked_at or null for now(), $9 linked_by), as the statement's snapshot
 * predates the link's write. The same rows the read would find after the write.
 */
const PERSON_REFRESH_MOVED = {
  ctes: [
    `p as (
          select version_id, last_updated, deleted, content::text as json from fhir_resources
          where resource_type = 'Person' and id = $1 for update)`,
  ],
  select: `select p.version_id, p.last_updated, p.deleted, p.json,
          (select json_agg(x order by x.linked_at, x.patient_id) from (
             select l.*, r.record, r.source, r.updated_at as record_updated_at
             from (select * from identity_links where person_id = $1 and patient_id <> $2
                   union all
                   select $2::text, $3::text, $4::text, $5::text, $6::float8, $7::jsonb,
                     coalesce($8::timestamptz, now()), $9::text
                   where $3::text = $1) l
             left join lateral (
               select record, source, updated_at from identity_records
               where patient_id = l.patient_id offset 0) r on true) x) as links
        from (select 1) one left join p on true`,
};

/** PERSON_REFRESH_SQL for several Persons: their rows locked in id order, each with its links. */
export const PERSONS_REFRESH_SQL = `with p as (
          select id, version_id, last_updated, deleted, content::text as json from fhir_resources
          where resource_type = 'Person' and id = any($1::text[]) order by id for update)
        select ids.id, p.version_id, p.last_updated, p.deleted, p.json,
          (select json_agg(x order by x.linked_at, x.patient_id) from (
             select l.*, r.record, r.source, r.updated_at as record_updated_at
             from identity_links l left join lateral (
               select record, source, updated_at from identity_records
               where patient_id = l.patient_id offset 0) r on true
             where l.person_id = ids.id) x) as links
        from unnest($1::text[]) as ids(id) left join p on p.id = ids.id`;

/** The links and linked records of a PERSON(S)_REFRESH_SQL row. */
function linkedOf(row: { links: unknown }): { links: LinkRow[]; records: SourceRecord[] } {
  const linked: any[] = json<any[] | null>(row.links) ?? [];
  return {
    links: linked.map((r) => ({ ...r, evidence: r.evidence ?? null })),
    records: linked
      .filter((r) => r.record !== null)
      .map((r) => ({
        record: json<MatchRecord>(r.record),
        source: r.source ?? undefined,
        updatedAt: new Date(r.record_updated_at).toISOString(),
      })),
  };
}

const personOf = (personId: string, ctx: MpiContext, links: LinkRow[], records: SourceRecord[]): Person =>
  buildPerson(
    personId,
    records,
    links.map((l) => ({ target: { reference: `Patient/${l.patient_id}` }, assurance: l.assurance })),
    ctx.survivorship,
  );

/**
 * `refreshPerson` for several stored Persons at once (those a Bundle's records joined): one
 * statement locks and reads them all, one `updateMany` writes those whose golden record changed,
 * instead of two round trips per Person.
 */
export async function refreshPersons(store: FhirStore, ctx: MpiContext, personIds: string[]): Promise<void> {
  if (personIds.length < 2) {
    for (const id of personIds) await refreshPerson(store, ctx, id);
    return;
  }
  const { rows } = await store.queryable.query({
    name: 'kith-identity-persons-refresh',
    text: PERSONS_REFRESH_SQL,
    values: [[...personIds].sort()],
  });
  const persons = rows.map((row) => {
    const { links, records } = linkedOf(row);
    return { resource: personOf(row.id as string, ctx, links, records) };
  });
  for (const settled of await store.updateMany(persons)) if ('error' in settled) throw settled.error;
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
  moved?: NewLink,
): Promise<Person> {
  let links: LinkRow[];
  let records: SourceRecord[];
  let current: StoredVersion | null | undefined;
  if (fresh) {
    links = [fresh.link];
    records = [fresh.record];
  } else {
    // One round trip: the Person's row, locked for its rewrite (handed to update), and its links.
    const { rows } = moved
      ? await readWithLink(store.queryable, personId, moved)
      : await store.queryable.query({
          name: 'kith-identity-person-refresh',
          text: PERSON_REFRESH_SQL,
          values: [personId],
        });
    const row = rows[0];
    current = row.version_id === null ? null : toStoredVersion('Person', personId, row);
    ({ links, records } = linkedOf(row));
  }
  const person = personOf(personId, ctx, links, records);
  // A new Person waits for the transaction's next create (an HL7 message's Provenance), to be
  // written in its statement (see createLater). update() creates a Person not there yet, under its id.
  if (fresh) await store.createLater(person, personId);
  else await store.update(person, { current });
  return person;
}

/** A link as `setLink` writes it. */
type NewLink = Omit<LinkRow, 'linked_at'> & { linked_at?: string };

/**
 * A Person's refresh read right after `moved` was set: the link's writes (waiting as riders) go in
 * the read's statement instead of one of their own, unless other riders that could touch the
 * Person's links wait with them (those run first, alone).
 */
function readWithLink(db: Queryable, personId: string, moved: NewLink): Promise<{ rows: any[] }> {
  const values = [
    personId,
    moved.patient_id,
    moved.person_id,
    moved.assurance,
    moved.rule_version,
    moved.score,
    moved.evidence === undefined || moved.evidence === null ? null : JSON.stringify(moved.evidence),
    moved.linked_at ?? null,
    moved.linked_by,
  ];
  const read = { name: 'kith-identity-person-refresh-moved', ...PERSON_REFRESH_MOVED, values };
  if (!(db instanceof TxConnection))
    return db.query({ name: read.name, text: `with ${read.ctes.join(',\n')} ${read.select}`, values });
  const own = new Set([`identity_links:${moved.patient_id}`, `identity_records:${moved.patient_id}`]);
  return db.readCarryingWrites(read, (w) =>
    w.key ? own.has(w.key) || !w.key.startsWith('identity_') : !/identity_(links|records)/.test(w.sql),
  );
}

export interface MatchOutcome {
  personId: string;
  assurance: Assurance;
  candidates: Candidate[];
  reviews: number;
}

interface StateRow {
  /** The lock ids taken, as text (JSON numbers would lose 64-bit precision). */
  locked: string[];
  record: unknown;
  person_id: string | null;
  assurance: string | null;
  members: number | string | null;
  /** The Person's row (version_id, last_updated, deleted, json), when the Patient is its only record. */
  person?: Record<string, unknown> | null;
}

/**
 * A Patient's identity state (its stored record, its link and the size of its Person) as one JSON
 * value, read after its blocking keys are locked for the rest of the transaction: two similar records
 * written at once then see each other's candidates. $1 patient id, $2 lock ids. When the Patient is
 * its Person's only record, the Person's row too, locked for its rewrite (as refreshPerson would,
 * after the same key locks): that Person is then rebuilt from this record alone, without reading
 * its links again.
 */
const STATE_SQL = `select json_build_object(
    'locks', (select count(pg_advisory_xact_lock(k)) from (select k from unnest($2::bigint[]) as t(k) order by k) s),
    'locked', $2::bigint[]::text[],
    'record', r.record, 'person_id', l.person_id, 'assurance', l.assurance,
    'members', (select count(*) from identity_links m where m.person_id = l.person_id),
    'person', (select json_build_object('version_id', p.version_id, 'last_updated', p.last_updated,
        'deleted', p.deleted, 'json', p.content::text)
      from fhir_resources p where p.resource_type = 'Person' and p.id = l.person_id
        and (select count(*) from identity_links m where m.person_id = l.person_id) = 1
      for update))
  from (select $1::text as id) x
  left join identity_records r on r.patient_id = x.id
  left join identity_links l on l.patient_id = x.id`;

// STATE_SQL for several Patients' writes in one statement (a batch of updates): their states as one
// JSON array, in order, each Patient's locks taken in key order as before, Patient after Patient.
// Locks come joined by commas.
const STATE_MANY_SQL = `select coalesce(json_agg(s.state order by u.n), '[]'::json)
  from unnest($1::text[], $2::text[]) with ordinality as u(pid, locks, n)
  cross join lateral (${STATE_SQL.replaceAll(
    '$2::bigint[]',
    "string_to_array(u.locks, ',')::bigint[]",
  ).replace('$1::text', 'u.pid')}) s(state)`;

export const STATE_READ = 'identity-state';

/**
 * Before a Patient's version is written in a transaction: its identity state read (and key locks)
 * ride in that write's statement, a round trip fewer for every Patient write.
 */
export function rideStateRead(db: Queryable, ctx: MpiContext, patient: Patient): void {
  if (!(db instanceof TxConnection) || !patient.id) return;
  const locks = recordKeys(ctx.matcher, patientToMatchRecord(patient)).locks;
  db.rideWith('Patient', patient.id, {
    name: STATE_READ,
    sql: STATE_SQL,
    values: [patient.id, locks],
    many: { sql: STATE_MANY_SQL, values: [patient.id, locks.join(',')] },
  });
}

/**
 * Identity bookkeeping for one Patient write; runs inside the write's transaction. `prefetched` is
 * the state `rideStateRead` read with the write, when it did.
 */
export async function onPatientWrite(
  store: FhirStore,
  ctx: MpiContext,
  patient: Patient,
  source: string | undefined,
  prefetched?: unknown,
  updateSet?: UpdateSetCandidates,
): Promise<MatchOutcome> {
  const set = updateSet?.isNext(patient.id as string) ? updateSet : undefined;
  const outcome = await resolvePatientWrite(store, ctx, patient, source, prefetched, set);
  set?.settle(patient.id as string, outcome.personId);
  return outcome;
}

/**
 * The store-and-candidates step for Patients updated together, done for the set before their
 * after-write hooks (see UpdateSetCandidates): the keys their hooks would lock that the write's
 * state read did not, then one statement. `states` are the state reads ridden with their writes.
 */
export async function loadUpdateSet(
  db: Queryable,
  ctx: MpiContext,
  patients: Patient[],
  states: unknown[],
): Promise<UpdateSetCandidates> {
  const rows = states as StateRow[];
  const missing = new Set<string>();
  patients.forEach((p, i) => {
    const held = new Set(rows[i].locked);
    for (const k of recordKeys(ctx.matcher, patientToMatchRecord(p)).locks) if (!held.has(k)) missing.add(k);
  });
  if (missing.size)
    await db.query({
      name: 'kith-identity-lock-many',
      text: 'select count(pg_advisory_xact_lock(k)) from (select k from unnest($1::bigint[]) as t(k) order by k) s',
      values: [[...missing]],
    });
  return UpdateSetCandidates.load(
    db,
    ctx,
    patients.map((patient, i) => ({
      patient,
      previous: rows[i].record ? json<MatchRecord>(rows[i].record) : undefined,
      personId: rows[i].person_id ?? undefined,
    })),
  );
}

async function resolvePatientWrite(
  store: FhirStore,
  ctx: MpiContext,
  patient: Patient,
  source: string | undefined,
  prefetched: unknown,
  set: UpdateSetCandidates | undefined,
): Promise<MatchOutcome> {
  const db = store.queryable;
  const counts = (ctx.counts ??= new ValueCountBuffer(store.db.pool));
  const record = patientToMatchRecord(patient);
  // Usually computed already, for the key locks ridden with the write (rideStateRead).
  const derived = recordKeys(ctx.matcher, record);
  const keys = derived.keys;
  // Usually read (and the locks taken) in the Patient's own write statement, see `rideStateRead`.
  let state =
    (prefetched as StateRow | null | undefined) ??
    ((
      await db.query({
        name: 'kith-identity-state',
        text: `select (${STATE_SQL}) as state`,
        values: [record.id, derived.locks],
      })
    ).rows[0].state as StateRow);
  // Read with the write, before this set's earlier records joined or left its Person: read again.
  if (prefetched && state.person_id && changedPersons.get(db)?.has(state.person_id))
    state = (
      await db.query({
        name: 'kith-identity-state',
        text: `select (${STATE_SQL}) as state`,
        values: [record.id, derived.locks],
      })
    ).rows[0].state as StateRow;
  // A hook after the read was queued may have changed the record's keys: lock the new ones too.
  const held = new Set(state.locked);
  const missing = derived.locks.filter((k) => !held.has(k));
  // A set's missing locks were taken for it (loadUpdateSet).
  if (missing.length && !set)
    await db.query({
      name: 'kith-identity-lock-many',
      text: 'select count(pg_advisory_xact_lock(k)) from (select k from unnest($1::bigint[]) as t(k) order by k) s',
      values: [missing],
    });
  const previous = state.record ? json<MatchRecord>(state.record) : undefined;
  const existing = state.person_id
    ? { person_id: state.person_id, assurance: state.assurance as Assurance, members: Number(state.members) }
    : undefined;
  const maxBlockSize = onlineBlockLimit(ctx.matcher);
  counts.change(ctx.matcher, record, previous);
  const stored = set
    ? set.candidatesOf(record.id)
    : await storeRecordAndLoadCandidates(db, {
        recordId: record.id,
        personId: existing?.person_id ?? '',
        record,
        norm: toStoredForm(record, derived.normalized),
        source,
        keys,
        writeKeys: !sameKeys(ctx.matcher, keys, previous),
        maxBlockSize,
        minSharedBlocks: onlineMinSharedBlocks(ctx.matcher),
      });
  const persons = new Map(stored.map((c) => [c.record.id, c.personId]));
  const candidates = scoreCandidates(
    { id: record.id, normalized: derived.normalized },
    stored.map((c) => c.record),
    ctx.matcher,
  );

  if (existing) {
    const alone = existing.members === 1;
    const best = candidates.find((c) => persons.get(c.id) !== existing.person_id);
    // A record alone in its Person (and not steward-confirmed) may now match someone: move it.
    if (alone && existing.assurance !== 'level4' && best && best.result.decision === 'match') {
      const target = persons.get(best.id) as string;
      const moved = await linkTo(db, record.id, target, 'level3', best.result, existing.person_id);
      await refreshPerson(store, ctx, existing.person_id, undefined, moved);
      await refreshPerson(store, ctx, target, undefined, moved);
      return { personId: target, assurance: 'level3', candidates, reviews: 0 };
    }
    if (alone && state.person) {
      // Its Person's only record, read with the state: the golden record is this record, so the
      // Person is rebuilt without reading its links again (and not written when nothing changed).
      const person = buildPerson(
        existing.person_id,
        [{ record, source, updatedAt: new Date().toISOString() }],
        [{ target: { reference: `Patient/${record.id}` }, assurance: existing.assurance }],
        ctx.survivorship,
      );
      await store.update(person, { current: toStoredVersion('Person', existing.person_id, state.person) });
    } else await refreshPerson(store, ctx, existing.person_id);
    return { personId: existing.person_id, assurance: existing.assurance, candidates, reviews: 0 };
  }

  const best = candidates[0];
  if (best && best.result.decision === 'match') {
    const personId = persons.get(best.id) as string;
    const joined = await linkTo(db, record.id, personId, 'level3', best.result);
    await refreshPerson(store, ctx, personId, undefined, joined);
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

/**
 * Persons a record joined or left, per transaction: the identity state of a later record of a set
 * of updates, read with the writes before that, is stale for them (their record count).
 */
const changedPersons = new WeakMap<object, Set<string>>();

async function linkTo(
  db: Queryable,
  patientId: string,
  personId: string,
  assurance: Assurance,
  result: PairScore,
  from?: string,
): Promise<NewLink> {
  const changed = changedPersons.get(db) ?? new Set<string>();
  changedPersons.set(db, changed);
  changed.add(personId);
  if (from) changed.add(from);
  const link: NewLink = {
    patient_id: patientId,
    person_id: personId,
    assurance,
    rule_version: result.rulesVersion,
    score: result.score,
    evidence: result,
    linked_by: SYSTEM_ACTOR,
  };
  await setLink(db, link);
  return link;
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
