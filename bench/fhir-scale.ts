// Search time as the store grows: loads Patients with Encounters and Observations to 100k and
// then 1M resources on a fresh PostgreSQL database, timing the same searches at each size.
// Env: SCALE_SIZES (default "100000,1000000"), SCALE_QUERIES (per search, default 200), BENCH_DB (the
// database made afresh and dropped, default kith_bench_scale: two runs at once need two names).
import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { loadConfig } from '../src/config/config';
import { openKith } from '../src/server/open';
import { buildApp } from '../src/server/app';
import { SYSTEM_CALLER } from '../src/privacy/caller';
import { freshDatabase } from './_server';

const sizes = (process.env.SCALE_SIZES ?? '100000,1000000').split(',').map(Number);
const queries = Number(process.env.SCALE_QUERIES ?? 200);
const FAMILIES = [
  'Garcia',
  'Nguyen',
  'Smith',
  'Johnson',
  'Lopez',
  'Kim',
  'Patel',
  'Brown',
  'Martinez',
  'Chen',
];
const GIVENS = ['Ana', 'Luis', 'Mary', 'John', 'Mei', 'Omar', 'Priya', 'Rosa', 'Tom', 'Wei'];

let seed = 42;
const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)];
const date = (from: number, to: number): string =>
  new Date(Date.UTC(from, 0, 1) + rand() * (Date.UTC(to, 0, 1) - Date.UTC(from, 0, 1))).toISOString();

/** One person: a Patient, 2 Encounters, 7 Observations = 10 resources. */
function person(): { resources: Resource[]; probe: { id: string; family: string; birthDate: string } } {
  const id = randomUUID();
  const family = `${pick(FAMILIES)}${Math.floor(rand() * 100000)}`;
  const birthDate = date(1930, 2020).slice(0, 10);
  const resources: Resource[] = [
    {
      resourceType: 'Patient',
      id,
      name: [{ family, given: [pick(GIVENS)] }],
      gender: pick(['male', 'female']),
      birthDate,
    } as Resource,
  ];
  for (let e = 0; e < 2; e++) {
    const start = date(2015, 2026);
    resources.push({
      resourceType: 'Encounter',
      id: randomUUID(),
      status: 'finished',
      class: {
        system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
        code: pick(['AMB', 'EMER', 'IMP']),
      },
      subject: { reference: `Patient/${id}` },
      period: { start, end: start },
    } as Resource);
  }
  for (let o = 0; o < 7; o++) {
    resources.push({
      resourceType: 'Observation',
      id: randomUUID(),
      status: 'final',
      code: {
        coding: [
          { system: 'http://loinc.org', code: pick(['8867-4', '8480-6', '8462-4', '29463-7', '39156-5']) },
        ],
      },
      subject: { reference: `Patient/${id}` },
      effectiveDateTime: date(2015, 2026),
      valueQuantity: { value: Math.round(rand() * 200), system: 'http://unitsofmeasure.org', code: '/min' },
    } as Resource);
  }
  return { resources, probe: { id, family, birthDate } };
}

const db = await freshDatabase(process.env.BENCH_DB ?? 'kith_bench_scale');
const kith = await openKith({ ...loadConfig({}), databaseUrl: db.url });
const app = await buildApp(kith);
// Measured as the system (an administrator with system/*.cruds): sign-in costs one signature check per
// request. A fresh token for each size: loading a million resources outlasts a token's 15 minutes.
const systemAuth = async (): Promise<{ authorization: string }> => ({
  authorization: `Bearer ${(await kith.auth.tokens.issue(SYSTEM_CALLER)).token}`,
});
const probes: { id: string; family: string; birthDate: string }[] = [];
const out: Record<string, unknown> = { bench: 'fhir-scale', queries_per_search: queries };
let loaded = 0;

const searches: Record<string, () => string> = {
  patient_family_birthdate: () => {
    const p = pick(probes);
    return `/fhir/Patient?family=${p.family}&birthdate=${p.birthDate}`;
  },
  observation_by_subject: () => `/fhir/Observation?subject=Patient/${pick(probes).id}`,
  observation_subject_code_date: () =>
    `/fhir/Observation?subject=Patient/${pick(probes).id}&code=http://loinc.org|8867-4&date=ge2016-01-01`,
  encounter_by_patient_sorted: () => `/fhir/Encounter?patient=${pick(probes).id}&_sort=-date`,
  chained_observation_by_family: () =>
    `/fhir/Observation?subject:Patient.family=${pick(probes).family}&_count=10`,
  patient_revinclude: () => `/fhir/Patient?_id=${pick(probes).id}&_revinclude=Observation:subject`,
};

try {
  for (const size of sizes) {
    const t0 = performance.now();
    const start = loaded;
    while (loaded < size) {
      const batch: Resource[] = [];
      while (batch.length < 2000) {
        const p = person();
        batch.push(...p.resources);
        if (rand() < 0.05) probes.push(p.probe);
      }
      await kith.store.createMany(batch);
      loaded += batch.length;
      if (loaded % 100_000 < 2000) process.stderr.write(`[scale] ${loaded} resources\n`);
    }
    const loadSeconds = (performance.now() - t0) / 1000;
    await kith.db.query('analyze');
    const auth = await systemAuth();
    const timings: Record<string, { p50_ms: number; p99_ms: number; mean_hits: number }> = {};
    for (const [name, url] of Object.entries(searches)) {
      const lat: number[] = [];
      let hits = 0;
      for (let i = 0; i < queries; i++) {
        const s = performance.now();
        const r = await app.inject({ method: 'GET', url: url(), headers: auth });
        lat.push(performance.now() - s);
        if (r.statusCode !== 200) throw new Error(`${name}: ${r.statusCode} ${r.body.slice(0, 200)}`);
        hits += (JSON.parse(r.body).entry ?? []).length;
      }
      lat.sort((a, b) => a - b);
      timings[name] = {
        p50_ms: Math.round(lat[Math.floor(lat.length / 2)] * 100) / 100,
        p99_ms: Math.round(lat[Math.floor(lat.length * 0.99)] * 100) / 100,
        mean_hits: Math.round((hits / queries) * 10) / 10,
      };
    }
    out[`at_${size}`] = {
      resources: loaded,
      load_resources_per_s: Math.round((loaded - start) / loadSeconds),
      searches: timings,
    };
  }
  if (sizes.length >= 2) {
    const a = out[`at_${sizes[0]}`] as any;
    const b = out[`at_${sizes[sizes.length - 1]}`] as any;
    out.p50_ratio = Object.fromEntries(
      Object.keys(searches).map((k) => [
        k,
        Math.round((b.searches[k].p50_ms / a.searches[k].p50_ms) * 100) / 100,
      ]),
    );
  }
  console.log(JSON.stringify(out));
} finally {
  await app.close();
  await kith.close();
  await db.drop();
}
