// CPU cost per write on PostgreSQL, for a shared machine where throughput says little: runs the
// fhir-bench create, transaction and update phases (../shared/bench/fhir-bench.mjs) against
// `kith serve` on a fresh database, samples the CPU time of the server and of its PostgreSQL
// backends (/proc) every 100 ms, and divides each measured phase's CPU by its unit of work: a
// created Patient, a transaction entry (resource), an updated Patient.
// Env: BENCH_DURATION_S (default 10), BENCH_PHASES (default create,transaction,update),
// WRITE_CPU_PORT (default 18_190), WRITE_CPU_DB (default kith_platform_write_cpu),
// WRITE_CPU_LOG_STATEMENTS=1 logs every statement of the database with its duration (server log);
// WRITE_CPU_AUTO_EXPLAIN=1 logs every statement's plan with actual times and buffers (auto_explain).
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sampleCpu } from './_measure';
import { explainEveryStatement, freshDatabase, startServer } from './_server';

const workload = path.resolve(process.env.KITH_SHARED ?? '../shared', 'bench/fhir-bench.mjs');
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
  const out = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, [workload], {
      env: {
        ...process.env,
        FHIR_BASE: server.base,
        FHIR_TOKEN: server.token ?? '',
        BENCH_PHASES: phases.join(','),
        BENCH_DURATION_S: duration,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      for (const p of phases) if (d.toString().includes(`[bench] ${p}:`)) phaseEnd[p] = performance.now();
      process.stderr.write(d);
    });
    child.on('exit', () => resolve(stdout));
  });
  sampler.stop();
  const result = JSON.parse(out.trim().split('\n').pop() ?? '{}');
  const at = sampler.at;
  const cpu: Record<string, unknown> = {};
  for (const p of phases) {
    const r = result[p];
    if (!r || !phaseEnd[p]) continue;
    const a = at(phaseEnd[p] - r.elapsed_s * 1000);
    const b = at(phaseEnd[p]);
    const units = p === 'transaction' ? Math.round(r.resources_per_s * r.elapsed_s) : r.ok;
    cpu[p] = {
      units,
      errors: r.errors,
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
