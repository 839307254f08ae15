// Online identity matching with many Persons stored: Patient/$match and Patient create (matching inside
// the write) latencies over HTTP against `kith serve` in its own process, and their accuracy against the
// generator's truth. Prints ONE JSON line.
//
// Loading: generated US-style people (src/identity/generator, about 2.6 source records each, in shuffled
// order) are created as Patients, and their identity resolution is what creating them one at a time in
// that order would do: BulkResolver (src/identity/mpi/bulk-resolve.ts, tested against the online path)
// makes the same decisions (automatic links, review tasks, new Persons), blocking keys, match records,
// value counts and golden-record Persons, in memory; the rows are then written in bulk statements
// (Patient and Person resources with their access columns and search index rows, identity_records,
// identity_keys, identity_links, identity_review, identity_value_counts). On PostgreSQL the bulk tables'
// indexes and keys are dropped for the load and built after it. Resources are written at version 1 (a
// Person rewritten as records joined it would have more versions in its history; the current content is
// the same). Some records of loaded people are held back: they are the $match probes and the created
// Patients, so every request has its true person stored (as a worker registering a known person would).
//
// Accuracy: each probe's true Persons are those the load resolved its generated person's other records
// into (usually one; more when the matcher left records of one person apart). $match: of the Persons
// graded `certain` (and `certain` or `probable`), the share that is a true one (precision) and the share
// of probes with a true one among them (recall). Create: of the creates auto-linked to an existing Person, the share linked to
// their own (precision), and the share of creates linked to their own (recall); the rest go to review
// (`in_review`, with `review_has_true` when a review task proposes the true Person) or to a new Person.
//
// Env: SIZE Persons to load (default 100000); QUERIES per operation (default 500); BENCH_SEED (7);
// DATABASE_URL: a PostgreSQL server, where the database BENCH_DB (default kith_bench_identity) is made
// (default: PGlite in a temporary folder); BENCH_PORT (18480).
// KEEP_DB=1 keeps the loaded database (PostgreSQL: BENCH_DB; PGlite: kith-bench-identity-SIZE-SEED in
// the temporary folder) and a later run with KEEP_DB=1 and the same SIZE and BENCH_SEED reuses it
// without loading: it held back ten runs' probes (PROBES overrides) and each run takes unused ones, so
// no run creates a record an earlier run created. load_seconds is then the first load's. LOAD_ONLY=1
// (with KEEP_DB=1) loads and keeps without measuring, so the load and the measurements can run apart.
// LOAD_SEARCH_ROWS=0 leaves out the loaded resources' search index rows and history rows (about 25 index
// rows per resource; neither is read by $match or by matching in a create, which still write their own),
// so 1M Persons load in reasonable time on 2 cores. WRITERS (2): batches written at once.
// On a shared machine, KITH_MLLP_PORT=0 keeps the served Kith off another's MLLP port.
import type { Patient, Person } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config/config';
import { generatePopulation } from '../src/identity/generator/generate';
import { generatedToPatient } from '../src/identity/generator/patient';
import { identityContext } from '../src/identity/mpi';
import { BulkResolver, type ResolvedRecord, type ReviewRow } from '../src/identity/mpi/bulk-resolve';
import { onlineBlockLimit, onlineMinSharedBlocks } from '../src/identity/online';
import { CANDIDATE_QUERY } from '../src/identity/mpi/db-index';
import { patientToMatchRecord } from '../src/identity/mpi/patient-record';
import { accessColumns } from '../src/privacy/policy';
import { openKith } from '../src/server/open';
import { extractIndexRows } from '../src/store';
import type { IndexRows } from '../src/store/index-rows';
import { dateRange, normalizeString } from '../src/store/normalize';
import { createManySql } from '../src/store/write-sql';
import { startServer } from './_server';

const SIZE = Number(process.env.SIZE ?? 100_000);
const QUERIES = Number(process.env.QUERIES ?? 500);
const SEED = Number(process.env.BENCH_SEED ?? 7);
const PORT = Number(process.env.BENCH_PORT ?? 18480);
const DB_NAME = process.env.BENCH_DB ?? 'kith_bench_identity';
const KEEP = process.env.KEEP_DB === '1';
/** LOAD_ONLY=1 (with KEEP_DB=1): load and keep, measure nothing (a later KEEP_DB run measures). */
const LOAD_ONLY = process.env.LOAD_ONLY === '1';
if (LOAD_ONLY && !KEEP) throw new Error('LOAD_ONLY=1 needs KEEP_DB=1 (the load would be dropped)');
/** Probes one run uses: 50 warm-up $match, QUERIES $match, QUERIES creates. */
const PER_RUN = 50 + 2 * QUERIES;
const PROBES = Number(process.env.PROBES ?? (KEEP ? 10 * PER_RUN : PER_RUN));
/** LOAD_SEARCH_ROWS=0: no search index rows and no history rows for loaded resources (neither is read by $match or matching). */
const SEARCH_ROWS = process.env.LOAD_SEARCH_ROWS !== '0';
/** Batches written at once while the next is built. */
const WRITERS = Number(process.env.WRITERS ?? 2);
/** Generated records per chunk: each chunk is its own population (seed + chunk number). */
const CHUNK_RECORDS = 50_000;
/** Resources per bulk statement. */
const BATCH = 2_000;
/** Marks a kept load this loader made (earlier loaders linked records by the generator's truth). */
const LOADER = 'resolved-1';
/** Tables the load writes in bulk: their indexes and keys are built after the load (PostgreSQL). */
const BULK_TABLES = [
  'fhir_resources',
  'fhir_history',
  'sp_string',
  'sp_token',
  'sp_date',
  'sp_reference',
  'sp_uri',
  'identity_keys',
  'identity_records',
  'identity_links',
];

const log = (msg: string): boolean => process.stderr.write(`[identity-online] ${msg}\n`);
const round = (v: number, d = 2): number => Math.round(v * 10 ** d) / 10 ** d;

/**
 * The search index rows extractIndexRows gives the Patients toPatient makes and the Persons buildPerson
 * makes, without evaluating every search parameter's FHIRPath (most of the load's time at 1M). Checked
 * against extractIndexRows on a sample of the load (sameRows); a difference stops the load.
 */
function bulkIndexRows(r: Patient | Person): IndexRows {
  const rows: IndexRows = {
    string: [],
    token: [],
    date: [],
    number: [],
    quantity: [],
    reference: [],
    uri: [],
    composite: [],
  };
  const text = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
  const str = (c: string, s: string | undefined): void => {
    if (text(s)) rows.string.push({ c, v: normalizeString(s), e: s });
  };
  for (const a of r.address ?? []) {
    for (const s of [a.text, ...(a.line ?? []), a.city, a.district, a.state, a.postalCode, a.country])
      str('address', s);
    str('address-city', a.city);
    str('address-postalcode', a.postalCode);
    str('address-state', a.state);
  }
  for (const n of r.name ?? []) {
    const parts = [n.text, n.family, ...(n.given ?? []), ...(n.prefix ?? []), ...(n.suffix ?? [])];
    for (const s of parts) str('name', s);
    for (const s of parts) str('phonetic', s);
    if (r.resourceType === 'Patient') {
      str('family', n.family);
      for (const g of n.given ?? []) str('given', g);
    }
  }
  const token = (c: string, s: string | undefined, v: string | undefined): void => {
    if (v) rows.token.push({ c, s: s ?? null, v, t: null });
  };
  if (r.resourceType === 'Patient') token('deceased', undefined, 'false');
  if (r.gender) token('gender', undefined, r.gender);
  for (const i of r.identifier ?? []) token('identifier', i.system, i.value);
  for (const t of r.telecom ?? []) {
    if (t.system === 'phone') token('phone', t.system, t.value);
    token('telecom', t.system, t.value);
  }
  const born = r.birthDate ? dateRange(r.birthDate) : undefined;
  if (born) rows.date.push({ c: 'birthdate', lo: born.low, hi: born.high });
  if (r.meta?.source) rows.uri.push({ c: '_source', v: r.meta.source });
  if (r.resourceType === 'Person') {
    for (const code of ['link', 'patient'])
      for (const l of r.link ?? []) {
        const ref = l.target.reference as string;
        const [type, id] = ref.split('/');
        if (code === 'link' || type === 'Patient') rows.reference.push({ c: code, tt: type, ti: id, r: ref });
      }
  }
  return rows;
}

/** The same rows, in any order. */
function sameRows(a: IndexRows, b: IndexRows): boolean {
  const key = (rows: IndexRows): string =>
    JSON.stringify(
      Object.entries(rows)
        .map(([table, list]) => [table, (list as unknown[]).map((x) => JSON.stringify(x)).sort()])
        .sort(),
    );
  return key(a) === key(b);
}

/** The access columns the write path fills (no labels on these resources; a Person is in its Patients' compartments). */
function bulkAccessColumns(r: Patient | Person): { s: string[]; p: string[]; u: null } {
  const p =
    r.resourceType === 'Patient'
      ? [`Patient/${r.id}`]
      : [...new Set((r.link ?? []).map((l) => l.target.reference as string))].sort();
  return { s: [], p, u: null };
}

/** A held-back record and the Persons the load resolved its generated person's records into. */
interface Probe {
  patient: Patient;
  personIds: string[];
}

interface Loaded {
  /** Generated people loaded. */
  persons: number;
  /** Person resources the load's resolution made (more than `persons`: records it did not link). */
  personResources: number;
  records: number;
  seconds: number;
  probes: Probe[];
}

/**
 * Drops the indexes and primary/unique keys of the bulk tables and returns the statements that build
 * them again: loading into indexed tables made each row pay random B-tree inserts into indexes far
 * larger than memory.
 */
async function dropBulkIndexes(db: pg.Pool): Promise<string[]> {
  const { rows: keys } = await db.query(
    `select c.conrelid::regclass::text as tab, c.conname, pg_get_constraintdef(c.oid) as def
     from pg_constraint c where c.contype in ('p', 'u') and c.conrelid::regclass::text = any($1)`,
    [BULK_TABLES],
  );
  const { rows: indexes } = await db.query(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
     from pg_index i where i.indrelid::regclass::text = any($1)
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
    [BULK_TABLES],
  );
  for (const i of indexes) await db.query(`drop index ${i.name}`);
  for (const k of keys) await db.query(`alter table ${k.tab} drop constraint ${k.conname}`);
  return [
    ...keys.map((k) => `alter table ${k.tab} add constraint ${k.conname} ${k.def}`),
    ...indexes.map((i) => i.def as string),
  ];
}

/**
 * Bulk-loads SIZE generated people as their source records' Patient creates would leave them, holding
 * back PROBES records as probes. Identity resolution is BulkResolver's (src/identity/mpi/bulk-resolve.ts):
 * the decisions, links, reviews, keys, records, value counts and golden records of creating the records
 * one at a time in load order (tested against the online path); the rows are then written in bulk.
 */
async function load(kith: Awaited<ReturnType<typeof openKith>>): Promise<Loaded> {
  const postgres = kith.db.kind === 'postgres';
  const resolver = new BulkResolver(identityContext().matcher);
  const counts = new Map<string, number>();
  const probes: { patient: Patient; person: number }[] = [];
  /** Generated person (chunk-qualified) of a probe -> the Persons its loaded records went to. */
  const resolvedInto = new Map<number, Set<string>>();
  let persons = 0;
  let records = 0;
  let checked = 0;
  const t0 = performance.now();
  const rebuild = postgres ? await dropBulkIndexes(kith.db.pool) : [];
  const times = { generate: 0, resolve: 0, build: 0, write: 0 };
  // CPU seconds of this process and of the database's backends: wall times mean little on a busy machine.
  const cpu0 = process.cpuUsage();
  const pg0 = (await cpuNow(undefined)).postgres;
  const cpu = async () => {
    const c = process.cpuUsage(cpu0);
    const pgNow = (await cpuNow(undefined)).postgres;
    return `CPU: loader ${round((c.user + c.system) / 1e6, 1)} s, PostgreSQL ${round(pgNow - pg0, 1)} s`;
  };
  // WRITERS batches are written while the next is built.
  const writing: Promise<void>[] = [];
  const enqueue = async (run: () => Promise<void>) => {
    if (writing.length >= WRITERS) await writing.shift();
    const done = (async () => {
      const ts = performance.now();
      await run();
      times.write += (performance.now() - ts) / 1000;
    })();
    done.catch(() => undefined); // awaited before a later batch and at the end
    writing.push(done);
  };
  /** The resources' rows (fhir_resources, and with SEARCH_ROWS their index and history rows). */
  const resourceStatement = (stored: (Patient | Person)[]): { sql: string; params: unknown[] } => {
    const lastUpdated = new Date().toISOString();
    stored.forEach((r, k) => {
      // The first resources, then one in 500: the fast rows and columns must be the write path's.
      if (checked >= 400 && k % 500 !== 0) return;
      checked++;
      if (SEARCH_ROWS) {
        const want = extractIndexRows(r);
        const rows = bulkIndexRows(r);
        if (!sameRows(rows, want))
          throw new Error(
            `bulk index rows differ for ${JSON.stringify(r)}:\n${JSON.stringify(rows)}\n${JSON.stringify(want)}`,
          );
      }
      const cols = accessColumns(r);
      const got = bulkAccessColumns(r);
      if (
        JSON.stringify([cols.security, cols.compartment, cols.custodian]) !==
        JSON.stringify([got.s, got.p, got.u])
      )
        throw new Error(`bulk access columns differ for ${r.resourceType}/${r.id}`);
    });
    const content = (r: Patient | Person) => ({ ...r, meta: { ...r.meta, versionId: '1', lastUpdated } });
    if (SEARCH_ROWS) {
      const { sql, params } = createManySql(
        stored.map((r) => ({ type: r.resourceType, id: r.id as string, rows: bulkIndexRows(r) })),
      );
      const docs = stored.map((r) => ({
        t: r.resourceType,
        i: r.id,
        c: content(r),
        ...bulkAccessColumns(r),
      }));
      return { sql, params: [JSON.stringify(docs), lastUpdated, ...params] };
    }
    return {
      sql: `insert into fhir_resources (resource_type, id, version_id, last_updated, deleted, content, security, compartment, custodian)
            select t, i, 1, $1::timestamptz, false, c, '{}', p::text[], null
            from unnest($2::text[], $3::text[], $4::jsonb[], $5::text[]) as x(t, i, c, p)`,
      params: [
        lastUpdated,
        stored.map((r) => r.resourceType),
        stored.map((r) => r.id),
        stored.map((r) => JSON.stringify(content(r))),
        stored.map((r) => `{${bulkAccessColumns(r).p.join(',')}}`),
      ],
    };
  };
  const inTransaction = (
    fn: (c: { query: (sql: string, params?: unknown[]) => Promise<unknown> }) => Promise<void>,
  ) =>
    kith.db.transaction(async (c) => {
      // A crash loses the load anyway: no commit waits for its WAL to reach the disk.
      if (postgres) await c.query('set local synchronous_commit = off');
      await fn(c);
    });
  /** One batch of created Patients with their identity rows, as their creates leave them. */
  const writePatients = async (patients: Patient[], resolved: ResolvedRecord[]) => {
    if (!patients.length) return;
    const tb = performance.now();
    const statement = resourceStatement(patients);
    const keyPatient: string[] = [];
    const keyName: string[] = [];
    const keyValue: string[] = [];
    const reviews: ReviewRow[] = [];
    for (const r of resolved) {
      for (const k of r.keys) {
        keyPatient.push(r.record.id);
        keyName.push(k.key);
        keyValue.push(k.value);
      }
      for (const [field, value] of r.frequencyKeys) {
        const c = `${field}\u0000${value}`;
        counts.set(c, (counts.get(c) ?? 0) + 1);
      }
      reviews.push(...r.reviews);
    }
    const ids = resolved.map((r) => r.record.id);
    const recordRows = [
      ids,
      resolved.map((r) => r.link.person_id),
      resolved.map((r) => JSON.stringify(r.record)),
      resolved.map((r) => r.source ?? null),
      resolved.map((r) => r.link.linked_at),
      resolved.map((r) => JSON.stringify(r.norm)),
    ];
    const linkRows = JSON.stringify(resolved.map((r) => r.link));
    const reviewRows = JSON.stringify(reviews);
    times.build += (performance.now() - tb) / 1000;
    await enqueue(() =>
      inTransaction(async (c) => {
        await c.query(statement.sql, statement.params);
        await c.query(
          `insert into identity_records (patient_id, person_id, record, source, updated_at, norm)
           select * from unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::timestamptz[], $6::jsonb[])`,
          recordRows,
        );
        await c.query(
          `insert into identity_keys (patient_id, key, value) select * from unnest($1::text[], $2::text[], $3::text[])`,
          [keyPatient, keyName, keyValue],
        );
        await c.query(
          `insert into identity_links (patient_id, person_id, assurance, rule_version, score, evidence, linked_at, linked_by)
           select x.patient_id, x.person_id, x.assurance, x.rule_version, x.score, x.evidence, x.linked_at, x.linked_by
           from jsonb_to_recordset($1::jsonb) as x(patient_id text, person_id text, assurance text, rule_version text,
             score double precision, evidence jsonb, linked_at timestamptz, linked_by text)`,
          [linkRows],
        );
        if (reviews.length)
          await c.query(
            `insert into identity_review (patient_id, candidate_patient_id, candidate_person_id, score, evidence)
             select x.patient_id, x.candidate_patient_id, x.candidate_person_id, x.score, x.evidence
             from jsonb_to_recordset($1::jsonb) as x(patient_id text, candidate_patient_id text,
               candidate_person_id text, score double precision, evidence jsonb)`,
            [reviewRows],
          );
      }),
    );
  };

  for (let chunk = 0; persons < SIZE; chunk++) {
    const tg = performance.now();
    const data = generatePopulation({
      seed: SEED + chunk,
      records: Math.min(CHUNK_RECORDS, Math.ceil((SIZE - persons) * 3)),
    });
    times.generate += (performance.now() - tg) / 1000;
    // The chunk's people, as many as still wanted, and the record each held-back one keeps out.
    const scoredBefore = resolver.candidatesScored;
    const recordsBefore = records;
    const kept = new Set<number>();
    const held = new Map<number, number>();
    const recordsOf = new Map<number, number>();
    for (let i = 0; i < data.records.length; i++)
      recordsOf.set(data.personOf[i], (recordsOf.get(data.personOf[i]) ?? 0) + 1);
    for (let i = 0; i < data.records.length; i++) {
      const p = data.personOf[i];
      if (kept.has(p) || persons + kept.size >= SIZE) continue;
      kept.add(p);
      // Hold back the last record of some multi-record people as probes.
      if (
        (recordsOf.get(p) ?? 0) > 1 &&
        probes.length + held.size < PROBES &&
        (persons + kept.size - 1) % 5 === 0
      )
        held.set(p, -1);
    }
    for (let i = 0; i < data.records.length; i++)
      if (held.has(data.personOf[i])) held.set(data.personOf[i], i);
    let patients: Patient[] = [];
    let resolved: ResolvedRecord[] = [];
    for (let i = 0; i < data.records.length; i++) {
      const p = data.personOf[i];
      if (!kept.has(p)) continue;
      const person = chunk * 10_000_000 + p;
      if (held.get(p) === i) {
        const probe = generatedToPatient(data.records[i]);
        probes.push({ patient: probe, person });
        continue;
      }
      const tb = performance.now();
      const patient = generatedToPatient(data.records[i], randomUUID());
      times.build += (performance.now() - tb) / 1000;
      const tr = performance.now();
      const r = resolver.resolve(
        patientToMatchRecord(patient),
        patient.meta?.source,
        new Date().toISOString(),
      );
      times.resolve += (performance.now() - tr) / 1000;
      if (held.has(p)) {
        let into = resolvedInto.get(person);
        if (!into) resolvedInto.set(person, (into = new Set()));
        into.add(r.link.person_id);
      }
      patients.push(patient);
      resolved.push(r);
      records++;
      if (patients.length >= BATCH) {
        await writePatients(patients, resolved);
        patients = [];
        resolved = [];
      }
    }
    await writePatients(patients, resolved);
    persons += kept.size;
    const candidates = (resolver.candidatesScored - scoredBefore) / Math.max(1, records - recordsBefore);
    log(
      `candidates scored per record in this chunk ${round(candidates, 1)} (online block limit ${onlineBlockLimit(resolver.matcher)})`,
    );
    log(
      `${persons} people, ${records} records, ${resolver.persons} Persons, ${round((performance.now() - t0) / 1000, 1)} s ` +
        `(generating ${round(times.generate, 1)} s, resolving ${round(times.resolve, 1)} s, building ${round(times.build, 1)} s, ` +
        `writing ${round(times.write, 1)} s); ${await cpu()}; load average ${loadavg()[0].toFixed(1)}`,
    );
  }
  // Each Person as its last rewrite leaves it, now that all its records are known.
  const tp = performance.now();
  let batch: Person[] = [];
  const writePersons = async (list: Person[]) => {
    const tb = performance.now();
    const statement = resourceStatement(list);
    times.build += (performance.now() - tb) / 1000;
    await enqueue(() => inTransaction(async (c) => void (await c.query(statement.sql, statement.params))));
  };
  for (const person of resolver.personResources()) {
    batch.push(person);
    if (batch.length >= BATCH) {
      await writePersons(batch);
      batch = [];
    }
  }
  if (batch.length) await writePersons(batch);
  for (const w of writing) await w;
  log(
    `${resolver.persons} Persons written in ${round((performance.now() - tp) / 1000, 1)} s, ` +
      `${round((performance.now() - t0) / 1000, 1)} s in all; ${await cpu()}; load average ${loadavg()[0].toFixed(1)}`,
  );
  const entries = [...counts];
  for (let i = 0; i < entries.length; i += 20_000) {
    const part = entries.slice(i, i + 20_000);
    await kith.db.query(
      `insert into identity_value_counts (field, value_key, n)
       select * from unnest($1::text[], $2::text[], $3::int[])`,
      [
        part.map(([k]) => k.split('\u0000')[0]),
        part.map(([k]) => k.split('\u0000')[1]),
        part.map(([, n]) => n),
      ],
    );
  }
  const ti = performance.now();
  if (rebuild.length) {
    const c = await kith.db.pool.connect();
    try {
      await c.query(`set maintenance_work_mem = '512MB'`);
      for (const statement of rebuild) await c.query(statement);
    } finally {
      c.release();
    }
  }
  // What autovacuum does after a bulk load, done now: without the visibility map, index-only scans
  // (the candidate query's block reads) fetch every heap row anyway until autovacuum gets there.
  await kith.db.query('vacuum analyze');
  log(`indexes and statistics in ${round((performance.now() - ti) / 1000, 1)} s; ${await cpu()}`);
  return {
    persons,
    personResources: resolver.persons,
    records,
    seconds: (performance.now() - t0) / 1000,
    probes: probes.map((p) => ({ patient: p.patient, personIds: [...(resolvedInto.get(p.person) ?? [])] })),
  };
}

/** Saves what a later KEEP_DB run needs to reuse this load: its figures and its probes. */
async function saveLoad(kith: Awaited<ReturnType<typeof openKith>>, loaded: Loaded): Promise<void> {
  await kith.db.query(
    `create table bench_identity_probes (n integer primary key, person_ids text[] not null, probe jsonb not null, used boolean not null default false);
     create table bench_identity_meta (size integer, seed integer, persons integer, person_resources integer, records integer,
       load_seconds double precision, loader text)`,
  );
  for (let i = 0; i < loaded.probes.length; i += 5_000) {
    const part = loaded.probes.slice(i, i + 5_000);
    await kith.db.query(
      `insert into bench_identity_probes (n, person_ids, probe)
       select n, string_to_array(p, ','), j from unnest($1::int[], $2::text[], $3::jsonb[]) as t(n, p, j)`,
      [
        part.map((_, k) => i + k),
        part.map((p) => p.personIds.join(',')),
        part.map((p) => JSON.stringify(p.patient)),
      ],
    );
  }
  // This run uses the first PER_RUN probes (none when it only loads).
  await kith.db.query('update bench_identity_probes set used = true where n < $1', [LOAD_ONLY ? 0 : PER_RUN]);
  await kith.db.query(`insert into bench_identity_meta values ($1, $2, $3, $4, $5, $6, $7)`, [
    SIZE,
    SEED,
    loaded.persons,
    loaded.personResources,
    loaded.records,
    loaded.seconds,
    LOADER,
  ]);
}

/** The kept load's figures and PER_RUN unused probes (marked used), or undefined when there is none to reuse. */
async function reuseLoad(kith: Awaited<ReturnType<typeof openKith>>): Promise<Loaded | undefined> {
  const { rows: meta } = await kith.db
    .query(`select * from bench_identity_meta where to_regclass('bench_identity_meta') is not null`)
    .catch(() => ({ rows: [] as any[] }));
  if (!meta[0] || meta[0].size !== SIZE || meta[0].seed !== SEED || meta[0].loader !== LOADER)
    return undefined;
  const { rows } = await kith.db.query(
    `update bench_identity_probes set used = true where n in
       (select n from bench_identity_probes where not used order by n limit $1)
     returning n, person_ids, probe`,
    [PER_RUN],
  );
  rows.sort((a, b) => a.n - b.n);
  return {
    persons: meta[0].persons,
    personResources: meta[0].person_resources,
    records: meta[0].records,
    seconds: meta[0].load_seconds,
    probes: rows.map((r) => ({
      patient: (typeof r.probe === 'string' ? JSON.parse(r.probe) : r.probe) as Patient,
      personIds: r.person_ids as string[],
    })),
  };
}

/** The plan of the candidate query ($match and the write path) for one probe, on stderr. */
async function explainCandidates(kith: Awaited<ReturnType<typeof openKith>>, probe: Patient): Promise<void> {
  const matcher = identityContext().matcher;
  const keys = matcher.blockingKeys(patientToMatchRecord({ ...probe, id: '' }));
  const plan = await kith.db.query(`explain (analyze, buffers) ${CANDIDATE_QUERY}`, [
    '',
    keys.map((k) => k.key),
    keys.map((k) => k.value),
    onlineBlockLimit(matcher) + 1,
    onlineMinSharedBlocks(matcher),
  ]);
  log(`candidate query plan:\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
}

interface Timing {
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
}

function timing(lat: number[]): Timing {
  const s = [...lat].sort((a, b) => a - b);
  return {
    p50_ms: round(s[Math.floor(s.length / 2)]),
    p99_ms: round(s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]),
    mean_ms: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

/** One $match answer: each candidate's Patient id and grade, best first. */
type MatchAnswer = { id: string; grade: string }[];

/** CPU seconds a process has used (user + system), from /proc; 0 where there is none. */
function processCpu(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of the server process and of the PostgreSQL backends serving the bench database, so a
 * loaded machine's latencies can be told from the work each request costs.
 */
async function cpuNow(serverPid: number | undefined): Promise<{ server: number; postgres: number }> {
  let postgres = 0;
  if (process.env.DATABASE_URL) {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [DB_NAME],
      );
      for (const r of rows) postgres += processCpu(r.pid);
    } finally {
      await admin.end();
    }
  }
  return { server: processCpu(serverPid), postgres };
}

/** CPU milliseconds per request between two readings. */
function cpuPerRequest(
  a: { server: number; postgres: number },
  b: { server: number; postgres: number },
  requests: number,
) {
  return {
    server_cpu_ms: round(((b.server - a.server) * 1000) / requests),
    postgres_cpu_ms: round(((b.postgres - a.postgres) * 1000) / requests),
  };
}

async function measure(
  base: string,
  token: string | undefined,
  probes: Probe[],
  serverPid: number | undefined,
) {
  // Sign-in on: the bench server's system token.
  const FHIR = {
    'content-type': 'application/fhir+json',
    accept: 'application/fhir+json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const matchLat: number[] = [];
  const createLat: number[] = [];
  const match = async (p: Patient): Promise<MatchAnswer> => {
    const res = await fetch(`${base}/Patient/$match`, {
      method: 'POST',
      headers: FHIR,
      body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: p }] }),
    });
    const body = (await res.json()) as {
      entry?: { resource: Patient; search?: { extension?: { url: string; valueCode?: string }[] } }[];
    };
    if (!res.ok) throw new Error(`$match answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return (body.entry ?? []).map((e) => ({
      id: e.resource.id as string,
      grade: e.search?.extension?.find((x) => x.url.endsWith('/match-grade'))?.valueCode ?? '',
    }));
  };
  const create = async (p: Patient): Promise<string> => {
    const res = await fetch(`${base}/Patient`, { method: 'POST', headers: FHIR, body: JSON.stringify(p) });
    const body = (await res.json()) as Patient;
    if (res.status !== 201)
      throw new Error(`create answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return body.id as string;
  };
  // Warm up connections, prepared statements and the JIT on a few probes not counted.
  for (const p of probes.slice(0, 50)) await match(p.patient);
  const forMatch = probes.slice(50, 50 + QUERIES);
  const forCreate = probes.slice(50 + QUERIES, 50 + 2 * QUERIES);
  const answers: MatchAnswer[] = [];
  const c0 = await cpuNow(serverPid);
  for (const p of forMatch) {
    const t = performance.now();
    answers.push(await match(p.patient));
    matchLat.push(performance.now() - t);
  }
  const c1 = await cpuNow(serverPid);
  const created: string[] = [];
  for (const p of forCreate) {
    const t = performance.now();
    created.push(await create(p.patient));
    createLat.push(performance.now() - t);
  }
  const c2 = await cpuNow(serverPid);
  return {
    matchLat,
    createLat,
    forMatch,
    answers,
    forCreate,
    created,
    matchCpu: cpuPerRequest(c0, c1, forMatch.length),
    createCpu: cpuPerRequest(c1, c2, forCreate.length),
  };
}

/** How many stored records the candidate query gives each probe to score (p50, p99, max), and blocks skipped as too large. */
async function candidateCounts(
  db: { query: (sql: string, params: unknown[]) => Promise<{ rows: any[] }> },
  probes: Probe[],
) {
  const matcher = identityContext().matcher;
  const max = onlineBlockLimit(matcher);
  const counts: number[] = [];
  let skipped = 0;
  for (const p of probes) {
    const keys = matcher.blockingKeys(patientToMatchRecord({ ...p.patient, id: '' }));
    const { rows } = await db.query(
      `with blocks as materialized (
         select (select count(*) from (select 1 from identity_keys i where i.key = k.key and i.value = k.value limit $3) i) as n
         from unnest($1::text[], $2::text[]) as k(key, value))
       select (select count(*) from blocks where n >= $3)::int as skipped`,
      [keys.map((k) => k.key), keys.map((k) => k.value), max + 1],
    );
    skipped += rows[0].skipped;
    const c = await db.query(`select count(*)::int as n from (${CANDIDATE_QUERY}) q`, [
      '',
      keys.map((k) => k.key),
      keys.map((k) => k.value),
      max + 1,
      onlineMinSharedBlocks(matcher),
    ]);
    counts.push(c.rows[0].n);
  }
  const s = [...counts].sort((a, b) => a - b);
  return {
    p50: s[Math.floor(s.length / 2)],
    p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))],
    max: s[s.length - 1],
    blocks_skipped_per_probe: round(skipped / probes.length),
  };
}

const ratio = (a: number, b: number): number | null => (b ? round(a / b, 4) : null);

/** $match and create accuracy against each probe's true Person, read from the identity tables. */
async function accuracy(
  db: { query: (sql: string, params: unknown[]) => Promise<{ rows: any[] }> },
  m: Awaited<ReturnType<typeof measure>>,
) {
  const ids = [...new Set([...m.answers.flat().map((a) => a.id), ...m.created])];
  const { rows } = await db.query(
    'select patient_id, person_id, assurance from identity_links where patient_id = any($1::text[])',
    [ids],
  );
  const link = new Map(rows.map((r) => [r.patient_id as string, r]));
  const grades = (wanted: string[]) => {
    let pairs = 0;
    let right = 0;
    let found = 0;
    m.answers.forEach((answer, k) => {
      const persons = new Set(
        answer.filter((a) => wanted.includes(a.grade)).map((a) => link.get(a.id)?.person_id),
      );
      pairs += persons.size;
      const truth = m.forMatch[k].personIds;
      const hits = truth.filter((t) => persons.has(t)).length;
      right += hits;
      if (hits) found++;
    });
    return {
      persons_proposed: pairs,
      precision: ratio(right, pairs),
      recall: ratio(found, m.answers.length),
    };
  };
  const top = m.answers.filter(
    (a, k) => a[0] && m.forMatch[k].personIds.includes(link.get(a[0].id)?.person_id),
  ).length;
  const { rows: reviews } = await db.query(
    `select patient_id, candidate_person_id from identity_review where patient_id = any($1::text[]) and status = 'open'`,
    [m.created],
  );
  let linked = 0;
  let linkedRight = 0;
  let inReview = 0;
  let reviewHasTrue = 0;
  m.created.forEach((id, k) => {
    const l = link.get(id);
    const truth = m.forCreate[k].personIds;
    if (l?.assurance === 'level3') {
      linked++;
      if (truth.includes(l.person_id)) linkedRight++;
    } else if (l?.assurance === 'level2') {
      inReview++;
      if (reviews.some((r) => r.patient_id === id && truth.includes(r.candidate_person_id))) reviewHasTrue++;
    }
  });
  return {
    match: {
      with_candidates: m.answers.filter((a) => a.length > 0).length,
      candidates_scored: await candidateCounts(db, m.forMatch),
      top_is_true: ratio(top, m.answers.length),
      certain: grades(['certain']),
      certain_or_probable: grades(['certain', 'probable']),
    },
    create: {
      linked,
      precision: ratio(linkedRight, linked),
      recall: ratio(linkedRight, m.created.length),
      in_review: inReview,
      review_has_true: reviewHasTrue,
      new_person: m.created.length - linked - inReview,
    },
  };
}

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  let databaseUrl: string | undefined;
  let dataDir: string | undefined;
  let fresh = true;
  if (serverUrl) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    const { rows } = await admin.query('select 1 from pg_database where datname = $1', [DB_NAME]);
    if (!KEEP || rows.length === 0) {
      await admin.query(`drop database if exists ${DB_NAME} with (force)`);
      await admin.query(`create database ${DB_NAME}`);
    } else fresh = false;
    await admin.end();
    const u = new URL(serverUrl);
    u.pathname = `/${DB_NAME}`;
    databaseUrl = u.toString();
  } else if (KEEP) {
    dataDir = path.join(tmpdir(), `kith-bench-identity-${SIZE}-${SEED}`);
    fresh = !existsSync(dataDir);
  } else dataDir = mkdtempSync(path.join(tmpdir(), 'kith-bench-identity-'));
  const open = () => openKith({ ...loadConfig({}), databaseUrl, dataDir: dataDir ?? '' });
  try {
    let loaded: Loaded | undefined;
    let kith = await open();
    try {
      if (!fresh) loaded = await reuseLoad(kith);
      if (!loaded) {
        if (!fresh) {
          // A kept database of another SIZE or seed, or an unfinished load: start again.
          await kith.close();
          if (serverUrl) {
            const admin = new pg.Client({ connectionString: serverUrl });
            await admin.connect();
            await admin.query(`drop database if exists ${DB_NAME} with (force)`);
            await admin.query(`create database ${DB_NAME}`);
            await admin.end();
          } else rmSync(dataDir as string, { recursive: true, force: true });
          fresh = true;
          kith = await open();
        }
        loaded = await load(kith);
        if (KEEP) await saveLoad(kith, loaded);
        log(`loaded in ${round(loaded.seconds, 1)} s`);
      } else
        log(`reusing the kept load of ${loaded.persons} Persons (${round(loaded.seconds, 1)} s to load)`);
      await explainCandidates(kith, loaded.probes[0].patient);
      // kith serve makes its system client with a new secret only when there is none (a kept load has the last run's).
      await kith.db.query(`delete from auth_clients where grant_types @> array['client_credentials']`);
    } finally {
      await kith.close();
    }
    if (!loaded) throw new Error('nothing loaded');
    if (LOAD_ONLY) {
      console.log(
        JSON.stringify({
          bench: 'identity-online',
          load_only: true,
          database: databaseUrl ? 'postgresql' : 'pglite',
          persons: loaded.persons,
          person_resources: loaded.personResources,
          records: loaded.records,
          reused_load: !fresh,
          load_seconds: round(loaded.seconds, 1),
          load_records_per_s: Math.round(loaded.records / loaded.seconds),
          cpus: cpus().length,
          loadavg: loadavg().map((l) => round(l)),
        }),
      );
      return;
    }
    if (loaded.probes.length < PER_RUN)
      throw new Error(
        `only ${loaded.probes.length} probes left (${PER_RUN} needed); use a larger SIZE, fewer QUERIES or a fresh load`,
      );
    log('starting kith serve');
    const server = await startServer({ databaseUrl, dataDir, port: PORT });
    let m;
    try {
      m = await measure(server.base, server.token, loaded.probes, server.pid);
    } finally {
      await server.stop();
    }
    const loadAvg = loadavg().map((l) => round(l));
    kith = await open();
    let acc;
    try {
      acc = await accuracy(kith.db, m);
    } finally {
      await kith.close();
    }
    console.log(
      JSON.stringify({
        bench: 'identity-online',
        database: databaseUrl ? 'postgresql' : 'pglite',
        persons: loaded.persons,
        person_resources: loaded.personResources,
        records: loaded.records,
        reused_load: !fresh,
        load_seconds: round(loaded.seconds, 1),
        load_records_per_s: Math.round(loaded.records / loaded.seconds),
        match: { ...timing(m.matchLat), ...m.matchCpu, requests: m.matchLat.length, ...acc.match },
        create: { ...timing(m.createLat), ...m.createCpu, requests: m.createLat.length, ...acc.create },
        cpus: cpus().length,
        loadavg: loadAvg,
      }),
    );
  } finally {
    if (!KEEP) {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (serverUrl) {
        const admin = new pg.Client({ connectionString: serverUrl });
        await admin.connect();
        await admin.query(`drop database if exists ${DB_NAME} with (force)`);
        await admin.end();
      }
    }
  }
}

await main();
