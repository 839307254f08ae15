// CPU cost per write on PostgreSQL, for a shared machine where throughput says little: runs the
// fhir-bench create, transaction and update phases (../shared/bench/fhir-bench.mjs) against
// `kith serve` on a fresh database, samples the CPU time of the server and of its PostgreSQL
// backends (/proc) every 100 ms, and divides each measured phase's CPU by its unit of work: a
// created Patient, a transaction entry (resource), an updated Patient.
// Env: BENCH_DURATION_S (default 10), BENCH_PHASES (default create,transaction,update),
// WRITE_CPU_PORT (default 18_190), WRITE_CPU_DB (default kith_platform_write_cpu),
// WRITE_CPU_LOG_STATEMENTS=1 logs every statement of the database with its duration (server log);
// WRITE_CPU_AUTO_EXPLAIN=1 logs every statement's plan with actual times and buffers (auto_explain).
import os from 'node:os';
import pg from 'pg';
import { sampleCpu } from './_measure';
import { explainEveryStatement, freshDatabase, startServer } from './_server';
import { runFhirWorkload } from './_workload';

const duration = process.env.BENCH_DURATION_S ?? '10';
const phases = (process.env.BENCH_PHASES ?? 'create,transaction,update').split(',');

const db = await freshDatabase(process.env.WRITE_CPU_DB ?? 'kith_platform_write_cpu');
if (process.env.WRITE_CPU_LOG_STATEMENTS) {
  // Every statement with its duration in the PostgreSQL server log, for this database only.
  const a = new pg.Client({ connectionString: db.url });
  await a.connect();
  await a.query(`alter database ${new URL(db.url).pathname.slice(1)} set log_min_duration_statement = 0`);
  await a.end();
}
if (process.env.WRITE_CPU_AUTO_EXPLAIN) await explainEveryStatement(db.url);
const server = await startServer({ databaseUrl: db.url, port: Number(process.env.WRITE_CPU_PORT ?? 18_190) });
const admin = new pg.Client({ connectionString: db.url });
await admin.connect();
const dbName = new URL(db.url).pathname.slice(1);
try {
  const sampler = sampleCpu(server.pid, admin, dbName);
  const phaseEnd: Record<string, number> = {};
  const result = await runFhirWorkload(server, phases, duration, (p, now) => (phaseEnd[p] = now));
  sampler.stop();
  const at = sampler.at;
  const cpu: Record<string, unknown> = {};
  for (const p of phases) {
    const r = result[p];
    if (!r || !phaseEnd[p]) continue;
    const a = at(phaseEnd[p] - r.elapsed_s * 1000);
    const b = at(phaseEnd[p]);
    const units = p === 'transaction' ? Math.round((r.resources_per_s ?? 0) * r.elapsed_s) : r.ok;
    cpu[p] = {
      units,
      errors: r.errors,
      per_s: +((p === 'transaction' ? r.resources_per_s : r.req_per_s) ?? 0).toFixed(1),
      p99_ms: r.p99_ms,
      node_ms: +((b.node - a.node) / units).toFixed(2),
      postgres_ms: +((b.pg - a.pg) / units).toFixed(2),
      total_ms: +((b.node - a.node + b.pg - a.pg) / units).toFixed(2),
    };
  }
  console.log(
    JSON.stringify({
      bench: 'write-cpu',
      cpu_ms_per_unit: cpu,
      load_average: os.loadavg().map((x) => +x.toFixed(1)),
    }),
  );
} finally {
  await admin.end();
  await server.stop();
  await db.drop();
}
