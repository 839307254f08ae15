// CPU cost of a FHIR update on PostgreSQL, for a shared machine where throughput says little: runs
// the fhir-bench update phase (../shared/bench/fhir-bench.mjs, BENCH_PHASES=update) against
// `kith serve` on a fresh database, samples the CPU time of the server and of its PostgreSQL
// backends (/proc) every 100 ms, and divides the CPU spent in the measured phase by the updates
// done, and the statements sent in it likewise. Then counts the statements of single updates in
// sequence, by statement (the server counts what its pg clients send; see update-cpu-count.mjs).
// Env: BENCH_DURATION_S (default 10), BENCH_CONCURRENCY (default 16), BENCH_SEQUENTIAL (default 20).
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sampleCpu } from './_measure';
import { freshDatabase, startServer } from './_server';
import { runFhirWorkload } from './_workload';

const duration = process.env.BENCH_DURATION_S ?? '10';
const sequential = Number(process.env.BENCH_SEQUENTIAL ?? 20);
const countFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'kith-update-cpu-')), 'counts.json');

const db = await freshDatabase('kith_platform_update_cpu');
process.env.BENCH_NODE_ARGS = `${process.env.BENCH_NODE_ARGS ?? ''} --import ${path.resolve('bench/update-cpu-count.mjs')}`;
process.env.KITH_COUNT_FILE = countFile;
const server = await startServer({ databaseUrl: db.url, port: 18_180 });
const admin = new pg.Client({ connectionString: db.url });
await admin.connect();
const dbName = new URL(db.url).pathname.slice(1);
try {
  const sampler = sampleCpu(server.pid, admin, dbName);
  let phaseEnd = 0;
  const results = await runFhirWorkload(server, ['update'], duration, (_p, now) => (phaseEnd = now));
  sampler.stop();
  const result = results.update;
  if (!result) throw new Error('the workload reported no update phase');
  const start = phaseEnd - result.elapsed_s * 1000;
  const at = sampler.at;
  const a = at(start);
  const b = at(phaseEnd);
  const ok = result.ok as number;

  // Statements per update, sequential (no batching): the server writes its counts on SIGUSR2.
  const counts = async (): Promise<{
    total: number;
    byText: Record<string, number>;
    series: [number, number][];
  }> => {
    process.kill(server.pid as number, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 300));
    return JSON.parse(readFileSync(countFile, 'utf8'));
  };
  const headers = {
    authorization: `Bearer ${server.token ?? ''}`,
    'content-type': 'application/fhir+json',
  };
  const created = await fetch(`${server.base}/Patient`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Countwell', given: ['Ada'] }] }),
  }).then((r) => r.json());
  const before = await counts();
  for (let i = 0; i < sequential; i++) {
    const body = {
      ...created,
      birthDate: `19${50 + i}-01-01`,
      name: [{ family: 'Countwell', given: [`G${i}`] }],
    };
    const r = await fetch(`${server.base}/Patient/${created.id}`, {
      method: 'PUT',
      headers,
      body: JSON.stringify(body),
    });
    await r.text();
  }
  const after = await counts();
  // The server's statement total nearest the phase's start and end (its series is in wall time).
  const totalAt = (wall: number): number =>
    (after.series as [number, number][]).reduce((best, x) =>
      Math.abs(x[0] - wall) < Math.abs(best[0] - wall) ? x : best,
    )[1];
  // Which statements (their first 90 characters), per update, on stderr.
  for (const [text, n] of Object.entries(after.byText)) {
    const d = n - (before.byText[text] ?? 0);
    if (d > 0) console.error(`[update-cpu] ${(d / sequential).toFixed(2)} x ${text}`);
  }
  console.log(
    JSON.stringify({
      bench: 'update-cpu',
      updates: ok,
      errors: result.errors,
      req_per_s: result.req_per_s,
      p99_ms: result.p99_ms,
      cpu_ms_per_update: {
        node: +((b.node - a.node) / ok).toFixed(2),
        postgres: +((b.pg - a.pg) / ok).toFixed(2),
        total: +((b.node - a.node + b.pg - a.pg) / ok).toFixed(2),
      },
      statements_per_update: +((totalAt(b.wall) - totalAt(a.wall)) / ok).toFixed(2),
      statements_per_sequential_update: +((after.total - before.total) / sequential).toFixed(2),
      load_average: os.loadavg().map((x) => +x.toFixed(1)),
    }),
  );
} finally {
  await admin.end();
  await server.stop();
  await db.drop();
}
