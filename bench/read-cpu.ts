// CPU cost per read and per search on PostgreSQL, for a shared machine where throughput says little:
// runs the fhir-bench read and search phases (../shared/bench/fhir-bench.mjs) against `kith serve`
// on a fresh database, samples the CPU time of the server and of its PostgreSQL backends (/proc)
// every 100 ms, and divides each measured phase's CPU by its requests. Also counts the database's
// transactions (pg_stat_database.xact_commit, one per statement outside a transaction) per request.
// Env: BENCH_DURATION_S (default 10), BENCH_PHASES (default read,search), READ_CPU_PORT (default
// 18_590), READ_CPU_DB (default kith_platform_read_cpu), BENCH_NODE_ARGS (see _server.ts).
import os from 'node:os';
import pg from 'pg';
import { sampleCpu } from './_measure';
import { freshDatabase, startServer } from './_server';
import { runFhirWorkload } from './_workload';

const duration = process.env.BENCH_DURATION_S ?? '10';
const phases = (process.env.BENCH_PHASES ?? 'read,search').split(',');

const db = await freshDatabase(process.env.READ_CPU_DB ?? 'kith_platform_read_cpu');
const server = await startServer({ databaseUrl: db.url, port: Number(process.env.READ_CPU_PORT ?? 18_590) });
const admin = new pg.Client({ connectionString: db.url });
await admin.connect();
const dbName = new URL(db.url).pathname.slice(1);
/** Committed transactions of the database so far (the statistics lag up to ~0.5 s). */
const commits = async (): Promise<number> =>
  Number(
    (await admin.query('select xact_commit from pg_stat_database where datname = $1', [dbName])).rows[0]
      .xact_commit,
  );
try {
  const sampler = sampleCpu(server.pid, admin, dbName);
  const marks: Record<string, { t: number; commits: Promise<number> }> = {};
  const result = await runFhirWorkload(server, phases, duration, (p, now) => {
    marks[p] = { t: now, commits: commits() };
  });
  sampler.stop();
  const cpu: Record<string, unknown> = {};
  let before = 0;
  for (const p of phases) {
    const r = result[p];
    if (!r || !marks[p]) continue;
    const a = sampler.at(marks[p].t - r.elapsed_s * 1000);
    const b = sampler.at(marks[p].t);
    const after = await marks[p].commits;
    cpu[p] = {
      requests: r.ok,
      errors: r.errors,
      req_per_s: r.req_per_s,
      p99_ms: r.p99_ms,
      node_ms: +((b.node - a.node) / r.ok).toFixed(3),
      postgres_ms: +((b.pg - a.pg) / r.ok).toFixed(3),
      total_ms: +((b.node - a.node + b.pg - a.pg) / r.ok).toFixed(3),
      // Includes the phase's warm-up and (for the first phase) the pool's seeding: a rough figure.
      commits_per_request: before ? +((after - before) / r.ok).toFixed(2) : undefined,
    };
    before = after;
  }
  console.log(
    JSON.stringify({
      bench: 'read-cpu',
      cpu_ms_per_request: cpu,
      load_average: os.loadavg().map((x) => +x.toFixed(1)),
    }),
  );
} finally {
  await admin.end();
  await server.stop();
  await db.drop();
}
