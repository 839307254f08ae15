// The FHIR workload that counts (../shared/bench/fhir-bench.mjs) against Kith in its own process:
// 3 runs on a fresh PostgreSQL database each, medians, then one run on embedded PGlite.
// Env: BENCH_RUNS (default 3), BENCH_DURATION_S (default 20), BENCH_SKIP_PGLITE=1.
import { spawnSync } from 'node:child_process';
import { freshDatabase, startServer } from './_server';
import { FHIR_WORKLOAD } from './_workload';

const PEER = {
  software: 'Medplum 5.1.29',
  create: 130.8,
  read: 447.2,
  search: 315.3,
  transaction_resources_per_s: 137.3,
  update: 110.2,
};

const runs = Number(process.env.BENCH_RUNS ?? 3);

async function runOnce(databaseUrl: string | undefined, port: number): Promise<any> {
  const server = await startServer({ databaseUrl, port });
  try {
    const r = spawnSync(process.execPath, [FHIR_WORKLOAD], {
      env: { ...process.env, FHIR_BASE: server.base, FHIR_TOKEN: server.token ?? '' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '{}';
    return JSON.parse(line);
  } finally {
    await server.stop();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

function summarize(results: any[]): Record<string, unknown> {
  const m = (f: (r: any) => number): number => median(results.map(f));
  return {
    create_req_s: m((r) => r.create.req_per_s),
    create_p99_ms: m((r) => r.create.p99_ms),
    read_req_s: m((r) => r.read.req_per_s),
    read_p99_ms: m((r) => r.read.p99_ms),
    search_req_s: m((r) => r.search.req_per_s),
    search_p99_ms: m((r) => r.search.p99_ms),
    search_mean_hits: m((r) => r.search.mean_hits),
    transaction_resources_s: m((r) => r.transaction.resources_per_s),
    transaction_p99_ms: m((r) => r.transaction.p99_ms),
    update_req_s: m((r) => r.update.req_per_s),
    update_p99_ms: m((r) => r.update.p99_ms),
    errors: results.reduce(
      (n, r) =>
        n +
        ['create', 'read', 'search', 'transaction', 'update'].reduce((k, p) => k + (r[p]?.errors ?? 0), 0),
      0,
    ),
  };
}

const pgResults: any[] = [];
for (let i = 0; i < runs; i++) {
  const db = await freshDatabase(`kith_bench_fhir_${i}`);
  try {
    pgResults.push(await runOnce(db.url, 18_080 + i));
  } finally {
    await db.drop();
  }
}
const out: Record<string, unknown> = {
  bench: 'fhir',
  runs,
  duration_s: Number(process.env.BENCH_DURATION_S ?? 20),
  postgres: summarize(pgResults),
  peer: PEER,
};
if (process.env.BENCH_SKIP_PGLITE !== '1') out.pglite = summarize([await runOnce(undefined, 18_090)]);
console.log(JSON.stringify(out));
