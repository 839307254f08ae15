// Online identity matching with many Persons stored: Patient/$match and Patient create (matching inside
// the write) latencies over HTTP against `kith serve` in its own process. Prints ONE JSON line.
//
// Loading: generated US-style people (src/identity/generator, about 2.6 source records each) are written
// straight into the store and identity tables in bulk statements, as the online path would have left
// them (Patient and Person resources with search index rows, identity_records, identity_keys,
// identity_links, identity_value_counts); records of one generated person are linked to one Person.
// A few records of loaded people are held back: they are the $match probes and the created Patients,
// so most requests have a true match stored (as a worker registering a known person would).
//
// Env: SIZE Persons to load (default 100000); QUERIES per operation (default 500); BENCH_SEED (7);
// DATABASE_URL: a PostgreSQL server, where a fresh database kith_bench_identity is made and dropped
// (default: PGlite in a temporary folder); BENCH_PORT (18480).
import type { Patient, Person, Resource } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config/config';
import { generatePopulation, type GeneratedRecord } from '../src/identity/generator/generate';
import { identityContext } from '../src/identity/mpi';
import { CANDIDATE_QUERY } from '../src/identity/mpi/db-index';
import { buildPerson, type SourceRecord } from '../src/identity/mpi/golden';
import { patientToMatchRecord, SSN_SYSTEM } from '../src/identity/mpi/patient-record';
import { formatDate, parseDate } from '../src/identity/normalize/dates';
import type { MatchRecord } from '../src/identity/types';
import { openKith } from '../src/server/open';
import { extractIndexRows } from '../src/store';
import { createManySql } from '../src/store/write-sql';
import { startServer } from './_server';

const SIZE = Number(process.env.SIZE ?? 100_000);
const QUERIES = Number(process.env.QUERIES ?? 500);
const SEED = Number(process.env.BENCH_SEED ?? 7);
const PORT = Number(process.env.BENCH_PORT ?? 18480);
/** Generated records per chunk: each chunk is its own population (seed + chunk number). */
const CHUNK_RECORDS = 50_000;
/** Resources per bulk statement. */
const BATCH = 2_000;
const SOURCE_URL = 'https://kith.example.org/source/';

const log = (msg: string): boolean => process.stderr.write(`[identity-online] ${msg}\n`);
const round = (v: number, d = 2): number => Math.round(v * 10 ** d) / 10 ** d;

/** A generated source record as the FHIR Patient its source would send. */
function toPatient(g: GeneratedRecord, id: string): Patient {
  const date = parseDate(g.dob);
  const sex = g.sex.toLowerCase();
  return {
    resourceType: 'Patient',
    id,
    meta: { source: `${SOURCE_URL}${g.source}` },
    identifier: [
      { system: `urn:kith:bench:${g.source}`, value: g.recordId },
      ...(g.ssn ? [{ system: SSN_SYSTEM, value: g.ssn }] : []),
    ],
    name: [
      {
        family: g.lastName || undefined,
        given: [g.firstName, g.middleName].filter(Boolean),
        ...(g.suffix ? { suffix: [g.suffix] } : {}),
      },
    ],
    gender: /^(m|1)/.test(sex) ? 'male' : /^(f|2)/.test(sex) ? 'female' : 'unknown',
    ...(date > 0 ? { birthDate: formatDate(date) } : {}),
    ...(g.phone ? { telecom: [{ system: 'phone', value: g.phone }] } : {}),
    address: [
      {
        ...(g.address ? { line: [g.address] } : {}),
        ...(g.city ? { city: g.city } : {}),
        ...(g.state ? { state: g.state } : {}),
        ...(g.zip ? { postalCode: g.zip } : {}),
      },
    ],
  };
}

interface Loaded {
  persons: number;
  records: number;
  seconds: number;
  probes: Patient[];
}

/** Bulk-loads SIZE Persons into the database at `url` (PostgreSQL) or `dataDir` (PGlite). */
async function load(target: { databaseUrl?: string; dataDir?: string }): Promise<Loaded> {
  const kith = await openKith({
    ...loadConfig({}),
    databaseUrl: target.databaseUrl,
    dataDir: target.dataDir ?? '',
  });
  const matcher = identityContext().matcher;
  const counts = new Map<string, number>();
  const probes: Patient[] = [];
  const wantProbes = QUERIES * 2 + 100;
  let persons = 0;
  let records = 0;
  let genSeconds = 0;
  let sqlSeconds = 0;
  const t0 = performance.now();
  try {
    for (let chunk = 0; persons < SIZE; chunk++) {
      const tg = performance.now();
      const data = generatePopulation({
        seed: SEED + chunk,
        records: Math.min(CHUNK_RECORDS, Math.ceil((SIZE - persons) * 3)),
      });
      genSeconds += (performance.now() - tg) / 1000;
      // Group the chunk's records by generated person, keeping only as many people as still wanted.
      const byPerson = new Map<number, GeneratedRecord[]>();
      for (let i = 0; i < data.records.length; i++) {
        const p = data.personOf[i];
        const list = byPerson.get(p);
        if (list) list.push(data.records[i]);
        else if (persons + byPerson.size < SIZE) byPerson.set(p, [data.records[i]]);
      }
      let resources: Resource[] = [];
      let rows = { rec: [] as MatchRecord[], person: [] as string[], source: [] as string[] };
      let links = { patient: [] as string[], person: [] as string[], assurance: [] as string[] };
      const flush = async (): Promise<void> => {
        if (!resources.length) return;
        const lastUpdated = new Date().toISOString();
        const stored = resources.map((r) => ({ ...r, meta: { ...r.meta, versionId: '1', lastUpdated } }));
        const { sql, params } = createManySql(
          stored.map((r) => ({ type: r.resourceType, id: r.id as string, rows: extractIndexRows(r) })),
        );
        const keyPatient: string[] = [];
        const keyName: string[] = [];
        const keyValue: string[] = [];
        for (const r of rows.rec)
          for (const k of matcher.blockingKeys(r)) {
            keyPatient.push(r.id);
            keyName.push(k.key);
            keyValue.push(k.value);
          }
        const ts = performance.now();
        await kith.db.transaction(async (c) => {
          const docs = stored.map((r) => ({ t: r.resourceType, i: r.id, c: r }));
          await c.query(sql, [JSON.stringify(docs), lastUpdated, ...params]);
          await c.query(
            `insert into identity_records (patient_id, person_id, record, source)
             select * from unnest($1::text[], $2::text[], $3::jsonb[], $4::text[])`,
            [rows.rec.map((r) => r.id), rows.person, rows.rec.map((r) => JSON.stringify(r)), rows.source],
          );
          await c.query(
            `insert into identity_keys (patient_id, key, value)
             select * from unnest($1::text[], $2::text[], $3::text[]) on conflict do nothing`,
            [keyPatient, keyName, keyValue],
          );
          await c.query(
            `insert into identity_links (patient_id, person_id, assurance, rule_version, linked_by)
             select p, q, a, $4, 'system:identity' from unnest($1::text[], $2::text[], $3::text[]) as t(p, q, a)`,
            [links.patient, links.person, links.assurance, matcher.rules.version],
          );
        });
        sqlSeconds += (performance.now() - ts) / 1000;
        resources = [];
        rows = { rec: [], person: [], source: [] };
        links = { patient: [], person: [], assurance: [] };
      };
      for (const group of byPerson.values()) {
        // Hold back the last record of some multi-record people as probes.
        const held = group.length > 1 && probes.length < wantProbes && persons % 5 === 0;
        const keep = held ? group.slice(0, -1) : group;
        if (held) {
          const p = toPatient(group[group.length - 1], '');
          delete p.id;
          probes.push(p);
        }
        const personId = randomUUID();
        const sources: SourceRecord[] = [];
        keep.forEach((g, i) => {
          const patient = toPatient(g, randomUUID());
          const rec = patientToMatchRecord(patient);
          resources.push(patient);
          rows.rec.push(rec);
          rows.person.push(personId);
          rows.source.push(patient.meta?.source ?? '');
          links.patient.push(rec.id);
          links.person.push(personId);
          links.assurance.push(i === 0 ? 'level1' : 'level3');
          sources.push({ record: rec, source: patient.meta?.source, updatedAt: new Date().toISOString() });
          for (const [field, value] of matcher.frequencyKeys(rec)) {
            const k = `${field}\u0000${value}`;
            counts.set(k, (counts.get(k) ?? 0) + 1);
          }
        });
        const person: Person = buildPerson(
          personId,
          sources,
          keep.map((_, i) => ({
            target: { reference: `Patient/${sources[i].record.id}` },
            assurance: i === 0 ? 'level1' : 'level3',
          })),
        );
        resources.push(person);
        persons++;
        records += keep.length;
        if (resources.length >= BATCH) await flush();
      }
      await flush();
      log(
        `${persons} Persons, ${records} records, ${round((performance.now() - t0) / 1000, 1)} s ` +
          `(generating ${round(genSeconds, 1)} s, writing ${round(sqlSeconds, 1)} s)`,
      );
    }
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
    await kith.db.query('analyze');
    // The plan of the candidate query ($match and the write path) for one probe, on stderr.
    const probe = patientToMatchRecord({ ...probes[0], id: '' });
    const keys = matcher.blockingKeys(probe);
    const plan = await kith.db.query(`explain (analyze, buffers) ${CANDIDATE_QUERY}`, [
      '',
      keys.map((k) => k.key),
      keys.map((k) => k.value),
      matcher.rules.blocking.maxBlockSize + 1,
    ]);
    log(`candidate query plan:\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
  } finally {
    await kith.close();
  }
  return { persons, records, seconds: (performance.now() - t0) / 1000, probes };
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

async function measure(base: string, token: string | undefined, probes: Patient[]) {
  // Sign-in on: the bench server's system token.
  const FHIR = {
    'content-type': 'application/fhir+json',
    accept: 'application/fhir+json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const matchLat: number[] = [];
  const createLat: number[] = [];
  let withCandidates = 0;
  let linked = 0;
  const match = async (p: Patient): Promise<number> => {
    const res = await fetch(`${base}/Patient/$match`, {
      method: 'POST',
      headers: FHIR,
      body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: p }] }),
    });
    const body = (await res.json()) as { total?: number };
    if (!res.ok) throw new Error(`$match answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return body.total ?? 0;
  };
  const create = async (p: Patient): Promise<string> => {
    const res = await fetch(`${base}/Patient`, { method: 'POST', headers: FHIR, body: JSON.stringify(p) });
    const body = (await res.json()) as Patient;
    if (res.status !== 201)
      throw new Error(`create answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return body.id as string;
  };
  // Warm up connections, prepared statements and the JIT on a few probes not counted.
  const warm = probes.slice(0, 50);
  for (const p of warm) await match(p);
  const forMatch = probes.slice(50, 50 + QUERIES);
  const forCreate = probes.slice(50 + QUERIES, 50 + 2 * QUERIES);
  for (const p of forMatch) {
    const t = performance.now();
    const n = await match(p);
    matchLat.push(performance.now() - t);
    if (n > 0) withCandidates++;
  }
  const created: string[] = [];
  for (const p of forCreate) {
    const t = performance.now();
    created.push(await create(p));
    createLat.push(performance.now() - t);
  }
  // How many creates joined an existing Person (auto-linked in the write), from the Person each got.
  for (const id of created.slice(0, 100)) {
    const res = await fetch(`${base}/Person?link=Patient/${id}`, { headers: FHIR });
    const bundle = (await res.json()) as { entry?: { resource: Person }[] };
    if ((bundle.entry?.[0]?.resource.link?.length ?? 0) > 1) linked++;
  }
  return {
    match: { ...timing(matchLat), requests: matchLat.length, with_candidates: withCandidates },
    create: {
      ...timing(createLat),
      requests: createLat.length,
      linked_to_existing_of_first_100: linked,
    },
  };
}

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  let databaseUrl: string | undefined;
  let dataDir: string | undefined;
  if (serverUrl) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query('drop database if exists kith_bench_identity with (force)');
    await admin.query('create database kith_bench_identity');
    await admin.end();
    const u = new URL(serverUrl);
    u.pathname = '/kith_bench_identity';
    databaseUrl = u.toString();
  } else dataDir = mkdtempSync(path.join(tmpdir(), 'kith-bench-identity-'));
  try {
    const loaded = await load({ databaseUrl, dataDir });
    if (loaded.probes.length < 50 + 2 * QUERIES)
      throw new Error(`only ${loaded.probes.length} probes held back; use a larger SIZE or fewer QUERIES`);
    log(`loaded in ${round(loaded.seconds, 1)} s; starting kith serve`);
    const server = await startServer({ databaseUrl, dataDir, port: PORT });
    let results;
    try {
      results = await measure(server.base, server.token, loaded.probes);
    } finally {
      await server.stop();
    }
    console.log(
      JSON.stringify({
        bench: 'identity-online',
        database: databaseUrl ? 'postgresql' : 'pglite',
        persons: loaded.persons,
        records: loaded.records,
        load_seconds: round(loaded.seconds, 1),
        load_records_per_s: Math.round(loaded.records / loaded.seconds),
        ...results,
        cpus: cpus().length,
        loadavg: loadavg().map((l) => round(l)),
      }),
    );
  } finally {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (serverUrl) {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query('drop database if exists kith_bench_identity with (force)');
      await admin.end();
    }
  }
}

await main();
