// Overhead of the access policy on reads and searches: the same requests through the FHIR service
// (the layer the REST routes call), once as an administrator (no SQL predicate, decide permits at
// once) and once as a CBO caller with the person's consent (visibility predicate with consent
// lookups in every search, decide + consent rows per read), both audited. Runs in-process on a
// fresh PostgreSQL database (BENCH_PG_URL), or on in-memory PGlite with BENCH_PRIVACY_PGLITE=1.
// Env: BENCH_PRIVACY_PATIENTS (default 200), BENCH_PRIVACY_OPS (requests per kind, default 2000).
// Besides throughput it reports CPU ms per request (this process + the database's PostgreSQL
// backends, from /proc): on a shared, loaded machine that is the comparison to read.
import { cpus, loadavg } from 'node:os';
import type { Consent, Resource } from '@medplum/fhirtypes';
import { loadConfig } from '../src/config/config';
import { openKith } from '../src/server/open';
import { FhirService } from '../src/fhir/service';
import type { Caller } from '../src/privacy/caller';
import { processCpuMs } from './_measure';
import { freshDatabase } from './_server';

const PATIENTS = Number(process.env.BENCH_PRIVACY_PATIENTS ?? 200);
const OPS = Number(process.env.BENCH_PRIVACY_OPS ?? 2000);
const PGLITE = process.env.BENCH_PRIVACY_PGLITE === '1';
const LOINC = 'http://loinc.org';

const scopes: Caller['scopes'] = [{ context: 'user', type: '*', ops: 'cruds' }];
const admin: Caller = {
  kind: 'user',
  subject: 'bench-admin',
  accessLevel: 'edit',
  roles: ['administrator'],
  purposeOfUse: 'HOPERAT',
  scopes,
};
const cbo: Caller = {
  kind: 'user',
  subject: 'bench-cbo',
  organization: { id: 'cbo', kind: 'cbo', hipaaCoveredEntity: false, part2Program: false },
  accessLevel: 'exchange',
  roles: [],
  purposeOfUse: 'CAREMGT',
  scopes,
};

function patientData(i: number): Resource[] {
  const subject = { reference: `Patient/p${i}` };
  const obs = (n: number, code: string): Resource => ({
    resourceType: 'Observation',
    id: `o${i}-${n}`,
    status: 'final',
    code: { coding: [{ system: LOINC, code }] },
    subject,
    valueQuantity: { value: 60 + n, unit: '/min' },
  });
  const consent: Consent = {
    resourceType: 'Consent',
    id: `c${i}`,
    status: 'active',
    scope: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
    },
    category: [{ coding: [{ system: LOINC, code: '59284-0' }] }],
    patient: subject,
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: {
      type: 'permit',
      actor: [
        {
          role: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }],
          },
          reference: { reference: 'Organization/cbo' },
        },
      ],
    },
  };
  return [
    { resourceType: 'Patient', id: `p${i}`, name: [{ family: `Bench${i}` }], meta: clinic },
    obs(1, '8867-4'),
    obs(2, '8867-4'),
    obs(3, '29463-7'),
    obs(4, '8302-2'),
    obs(5, '75622-1'), // an HIV test: labelled, hidden from the CBO (the consent covers normal data)
    consent,
  ];
}
const clinic = {
  extension: [
    {
      url: 'https://kith.example.org/fhir/StructureDefinition/custodian',
      valueReference: { reference: 'Organization/clinic' },
    },
  ],
};

/**
 * CPU ms used so far by this process and by the PostgreSQL backends of the bench database (read
 * from /proc, so a local server): on a loaded machine, CPU per request compares the two callers
 * where throughput mostly measures the other work. PGlite runs inside this process.
 */
let backendPids: () => Promise<number[]> = async () => [];
async function cpuNow(): Promise<{ node: number; pg: Map<number, number> }> {
  const u = process.cpuUsage();
  const pg = new Map<number, number>();
  for (const pid of await backendPids()) pg.set(pid, processCpuMs(pid));
  return { node: (u.user + u.system) / 1000, pg };
}

async function rate(
  n: number,
  fn: (i: number) => Promise<unknown>,
): Promise<{ perSecond: number; medianMs: number; nodeCpuMs: number; pgCpuMs: number }> {
  const times: number[] = [];
  const c0 = await cpuNow();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn(i);
    times.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  const c1 = await cpuNow();
  let pg = 0;
  for (const [pid, ms] of c1.pg) pg += ms - (c0.pg.get(pid) ?? 0);
  times.sort((a, b) => a - b);
  return {
    perSecond: Math.round(n / (total / 1000)),
    medianMs: Number(times[Math.floor(times.length / 2)].toFixed(3)),
    nodeCpuMs: Number(((c1.node - c0.node) / n).toFixed(3)),
    pgCpuMs: Number((pg / n).toFixed(3)),
  };
}

const fresh = PGLITE ? undefined : await freshDatabase(`kith_bench_privacy_${process.pid}`);
const kith = await openKith({ ...loadConfig({}), databaseUrl: fresh?.url }, { memory: true });
if (!PGLITE)
  backendPids = async () =>
    (await kith.db.query('select pid from pg_stat_activity where datname = current_database()')).rows.map(
      (r: { pid: number }) => r.pid,
    );
try {
  const system = new FhirService(kith.store);
  await system.update('Organization', 'cbo', { resourceType: 'Organization', id: 'cbo', name: 'CBO' });
  for (let i = 0; i < PATIENTS; i++) {
    for (const r of patientData(i)) {
      const { id: _id, ...rest } = r;
      await system.update(r.resourceType, r.id!, { ...rest, id: r.id });
    }
  }
  const as = { admin: system.withCaller(admin), cbo: system.withCaller(cbo) };
  const readId = (i: number) => `o${(i * 7919) % PATIENTS}-${1 + (i % 4)}`;
  const searchQ = (i: number) => ({ subject: `Patient/p${(i * 7919) % PATIENTS}`, _count: '20' });
  // Warm up both paths (plans, caches) before measuring.
  for (const svc of [as.admin, as.cbo]) {
    await rate(50, (i) => svc.read('Observation', readId(i)));
    await rate(50, (i) => svc.search('Observation', searchQ(i)));
  }
  const results: Record<string, Awaited<ReturnType<typeof rate>>> = {};
  for (const who of ['admin', 'cbo'] as const) {
    results[`${who}_read`] = await rate(OPS, (i) => as[who].read('Observation', readId(i)));
    results[`${who}_search`] = await rate(OPS, (i) => as[who].search('Observation', searchQ(i)));
  }
  // Sanity: the CBO sees the 4 normal observations, not the HIV test; the administrator all 5.
  const seen = async (svc: FhirService) =>
    (await svc.search('Observation', { subject: 'Patient/p1' })).result.hits.length;
  const overhead = (a: number, b: number) => Number((((a - b) / a) * 100).toFixed(1));
  // Extra CPU per request of the policy-bound caller, relative to the administrator's.
  type Cpu = { nodeCpuMs: number; pgCpuMs: number };
  const cpuOverhead = (a: Cpu, b: Cpu) =>
    Number((((b.nodeCpuMs + b.pgCpuMs) / (a.nodeCpuMs + a.pgCpuMs)) * 100 - 100).toFixed(1));
  console.log(
    JSON.stringify({
      bench: 'privacy',
      load_average_1m: Number(loadavg()[0].toFixed(1)),
      cpus: cpus().length,
      database: PGLITE ? 'pglite' : 'postgres',
      patients: PATIENTS,
      ops_per_kind: OPS,
      admin_read_s: results.admin_read.perSecond,
      cbo_read_s: results.cbo_read.perSecond,
      read_overhead_pct: overhead(results.admin_read.perSecond, results.cbo_read.perSecond),
      admin_read_median_ms: results.admin_read.medianMs,
      cbo_read_median_ms: results.cbo_read.medianMs,
      admin_search_s: results.admin_search.perSecond,
      cbo_search_s: results.cbo_search.perSecond,
      search_overhead_pct: overhead(results.admin_search.perSecond, results.cbo_search.perSecond),
      admin_search_median_ms: results.admin_search.medianMs,
      cbo_search_median_ms: results.cbo_search.medianMs,
      // CPU per request (this process + the database's backends), the fair comparison under load.
      admin_read_cpu_ms: { node: results.admin_read.nodeCpuMs, pg: results.admin_read.pgCpuMs },
      cbo_read_cpu_ms: { node: results.cbo_read.nodeCpuMs, pg: results.cbo_read.pgCpuMs },
      read_cpu_overhead_pct: cpuOverhead(results.admin_read, results.cbo_read),
      admin_search_cpu_ms: { node: results.admin_search.nodeCpuMs, pg: results.admin_search.pgCpuMs },
      cbo_search_cpu_ms: { node: results.cbo_search.nodeCpuMs, pg: results.cbo_search.pgCpuMs },
      search_cpu_overhead_pct: cpuOverhead(results.admin_search, results.cbo_search),
      admin_sees: await seen(as.admin),
      cbo_sees: await seen(as.cbo),
    }),
  );
} finally {
  await kith.close();
  await fresh?.drop();
}
