// Cost of recording audit events on PostgreSQL (a fresh database): single appends in sequence
// (median, p95, p99 in ms) committed on their own, inside a request's transaction, and with
// asynchronous commit; next to the machine's round-trip and durable-commit baselines; then
// concurrent appends (group-commit writer, plain), one batch of 1000, and verifying the chain.
// Env: BENCH_AUDIT_EVENTS (default 5000), BENCH_AUDIT_CONCURRENCY (default 16).
import {
  AuditWriter,
  auditMigrations,
  recordAudit,
  recordAuditBatch,
  verifyAuditChain,
  type AuditInput,
} from '../src/audit';
import type { Caller } from '../src/privacy/caller';
import { openDatabase } from '../src/store/db/database';
import { migrate } from '../src/store/db/migrate';
import { freshDatabase } from './_server';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const N = Number(process.env.BENCH_AUDIT_EVENTS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_AUDIT_CONCURRENCY ?? 16);

const caller: Caller = {
  kind: 'user',
  subject: '5c1f6f9e-8d0b-4f7e-9a55-1d2b3c4d5e6f',
  displayName: 'Casey Nguyen',
  practitionerRole: 'PractitionerRole/pr-casey',
  organization: { id: 'org-hsa', kind: 'county-agency', hipaaCoveredEntity: true, part2Program: false },
  accessLevel: 'edit',
  roles: [],
  purposeOfUse: 'CAREMGT',
  scopes: [{ context: 'user', type: '*', ops: 'cruds' }],
};

const event = (i: number): AuditInput => ({
  action: i % 4 === 0 ? 'search' : 'read',
  caller,
  resources: [`Observation/obs-${i}`, `Condition/cond-${i}`],
  patients: [`Patient/p-${i % 500}`],
  query: i % 4 === 0 ? `Observation?patient=p-${i % 500}&category=social-history` : undefined,
  network: { address: '10.0.0.12', userAgent: 'kith-web/1.0' },
});

async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

/** CPU time (ms) of a Linux process, from /proc: user + system, in clock ticks of 10 ms. */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** Times each call, and the CPU spent per call by this process and the PostgreSQL backend. */
async function measured(backendPid: number, n: number, fn: (i: number) => Promise<unknown>) {
  const node0 = process.cpuUsage();
  const pg0 = cpuOf(backendPid);
  const times = await timed(n, fn);
  const node = process.cpuUsage(node0);
  return {
    times,
    nodeCpuMs: (node.user + node.system) / 1000 / n,
    pgCpuMs: (cpuOf(backendPid) - pg0) / n,
  };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))].toFixed(3));
};

const fresh = await freshDatabase(`kith_bench_audit_${process.pid}`);
const db = await openDatabase({ url: fresh.url, poolSize: CONCURRENCY + 4 });
try {
  await migrate(db, auditMigrations);
  for (let i = 0; i < 300; i++) await recordAudit(db, event(i));

  // One connection for the sequential runs, so its server process's CPU time can be read too.
  const client = await db.pool.connect();
  const backend: number = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;

  // Baselines on this machine now: one round trip, and one durable (fsync'd) single-row commit.
  await client.query('create table bench_probe (a int)');
  const baseSelect = await timed(500, () => client.query('select 1'));
  const baseInsert = await timed(500, () => client.query('insert into bench_probe values (1)'));

  // 1. A read's event on its own: one statement, committed (waits for the disk).
  const single = await measured(backend, N, (i) => recordAudit(client, event(i)));

  // 2. A write's event inside the request's own transaction: no commit of its own.
  const inTx: number[] = [];
  for (let i = 0; i < Math.min(N, 2000); i++) {
    await client.query('begin');
    const t0 = performance.now();
    await recordAudit(client, event(i));
    inTx.push(performance.now() - t0);
    await client.query('commit');
  }

  // 3. On its own with asynchronous commit (no wait for the disk).
  await client.query('set synchronous_commit = off');
  const asyncCommit = await measured(backend, Math.min(N, 2000), (i) => recordAudit(client, event(i)));
  await client.query('reset synchronous_commit');
  client.release();

  const writer = new AuditWriter(db);
  let next = 0;
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) await writer.record(event(next++));
    }),
  );
  const writerRate = N / ((performance.now() - t1) / 1000);

  next = 0;
  const t2 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) await recordAudit(db, event(next++));
    }),
  );
  const plainRate = N / ((performance.now() - t2) / 1000);

  const t3 = performance.now();
  await recordAuditBatch(
    db,
    Array.from({ length: 1000 }, (_, i) => event(i)),
  );
  const batchMs = performance.now() - t3;

  const t4 = performance.now();
  const verified = await verifyAuditChain(db);
  const verifyMs = performance.now() - t4;

  console.log(
    JSON.stringify({
      bench: 'audit',
      load_average_1m: Number(loadavg()[0].toFixed(1)),
      cpus: cpus().length,
      database: 'postgres',
      events: N,
      baseline_select_median_ms: pct(baseSelect, 50),
      baseline_durable_insert_median_ms: pct(baseInsert, 50),
      record_median_ms: pct(single.times, 50),
      record_p95_ms: pct(single.times, 95),
      record_p99_ms: pct(single.times, 99),
      record_cpu_ms_node: Number(single.nodeCpuMs.toFixed(3)),
      record_cpu_ms_postgres: Number(single.pgCpuMs.toFixed(3)),
      record_in_tx_median_ms: pct(inTx, 50),
      record_async_commit_median_ms: pct(asyncCommit.times, 50),
      record_async_commit_cpu_ms: Number((asyncCommit.nodeCpuMs + asyncCommit.pgCpuMs).toFixed(3)),
      concurrency: CONCURRENCY,
      writer_events_s: Math.round(writerRate),
      concurrent_record_events_s: Math.round(plainRate),
      batch_1000_ms: Number(batchMs.toFixed(1)),
      verify_events: verified.count,
      verify_ok: verified.ok,
      verify_events_s: Math.round(verified.count / (verifyMs / 1000)),
    }),
  );
} finally {
  await db.close();
  await fresh.drop();
}
