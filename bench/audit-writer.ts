// The group-commit AuditWriter as a read path uses it, A/B by batches in flight: CONCURRENCY
// simulated requests on a fresh PostgreSQL database each record a read's event, wait for it, then
// spend BENCH_AUDIT_WORK_MS of CPU (answering the request) and start again. Arms alternate
// (inFlight 1, 2, 1, 2, ...) for BENCH_AUDIT_ROUNDS rounds of BENCH_AUDIT_SECONDS each, so both see
// the same machine; prints per round events/s, the wait for an event's commit (p50/p99 ms), events
// per batch (statements counted), and CPU ms per event of this process and of PostgreSQL (/proc).
// Env: BENCH_AUDIT_CONCURRENCY (16), BENCH_AUDIT_WORK_MS (0.5), BENCH_AUDIT_ROUNDS (3),
// BENCH_AUDIT_SECONDS (8), BENCH_AUDIT_ARMS (1,2), BENCH_AUDIT_DB (kith_bench_audit_writer).
import { loadavg } from 'node:os';
import pg from 'pg';
import { AuditWriter, type AuditInput } from '../src/audit';
import type { Caller } from '../src/privacy/caller';
import { openDatabase } from '../src/store/db/database';
import { migrate, registeredMigrations } from '../src/store/db/migrate';
import { backendPidsOf, percentile, processCpuMs } from './_measure';
import { freshDatabase } from './_server';

const CONCURRENCY = Number(process.env.BENCH_AUDIT_CONCURRENCY ?? 16);
const WORK_MS = Number(process.env.BENCH_AUDIT_WORK_MS ?? 0.5);
const ROUNDS = Number(process.env.BENCH_AUDIT_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_AUDIT_SECONDS ?? 8);
const ARMS = (process.env.BENCH_AUDIT_ARMS ?? '1,2').split(',').map(Number);

const caller: Caller = {
  kind: 'client',
  subject: 'bench-client',
  displayName: 'fhir-bench',
  organization: { id: 'org-hsa', kind: 'county-agency', hipaaCoveredEntity: true, part2Program: false },
  accessLevel: 'edit',
  roles: ['administrator'],
  purposeOfUse: 'TREAT',
  scopes: [{ context: 'system', type: '*', ops: 'cruds' }],
};
const event = (i: number): AuditInput => ({
  action: 'read',
  caller,
  resources: [`Patient/p-${i % 1000}`],
  patients: [`Patient/p-${i % 1000}`],
  details: { ruleId: 'administrator', policyVersion: '1' },
});

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

const fresh = await freshDatabase(process.env.BENCH_AUDIT_DB ?? 'kith_bench_audit_writer');
const db = await openDatabase({ url: fresh.url, poolSize: CONCURRENCY + 4 });
const admin = new pg.Client({ connectionString: fresh.url });
await admin.connect();
const dbName = new URL(fresh.url).pathname.slice(1);
const pgCpu = async (): Promise<number> =>
  (await backendPidsOf(admin, dbName)).reduce((sum, pid) => sum + processCpuMs(pid), 0);
const statements = async (): Promise<number> =>
  Number(
    (
      await admin.query(
        // Each batch updates the chain's head once.
        `select n_tup_upd as n from pg_stat_user_tables where relname = 'audit_head'`,
      )
    ).rows[0].n,
  );

try {
  // Every audit migration (importing src/audit registered them), the event column's lz4 included.
  await migrate(
    db,
    registeredMigrations().filter((m) => m.id.startsWith('audit-')),
  );
  // Open the pool's connections before measuring, so their start-up is in no arm.
  await Promise.all(Array.from({ length: CONCURRENCY + 4 }, () => db.query('select 1')));
  const rounds: unknown[] = [];
  let n = 0;
  for (let round = 0; round < ROUNDS; round++)
    for (const inFlight of ARMS) {
      const writer = new AuditWriter(db, { inFlight });
      const waits: number[] = [];
      const end = performance.now() + SECONDS * 1000;
      const [cpu0, pg0, heads0] = [process.cpuUsage(), await pgCpu(), await statements()];
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() < end) {
            const t = performance.now();
            await writer.record(event(n++));
            waits.push(performance.now() - t);
            busy(WORK_MS);
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      // pg_stat counters arrive with a delay: give them a moment.
      await new Promise((r) => setTimeout(r, 700));
      const batches = (await statements()) - heads0;
      rounds.push({
        in_flight: inFlight,
        events_s: Math.round(waits.length / seconds),
        wait_p50_ms: percentile(waits, 50),
        wait_p99_ms: percentile(waits, 99),
        events_per_batch: batches ? +(waits.length / batches).toFixed(1) : undefined,
        // Without the simulated answering work.
        node_ms: +((cpu.user + cpu.system) / 1000 / waits.length - WORK_MS).toFixed(3),
        postgres_ms: +(((await pgCpu()) - pg0) / waits.length).toFixed(3),
        load_average: +loadavg()[0].toFixed(1),
      });
    }
  console.log(
    JSON.stringify({
      bench: 'audit-writer',
      concurrency: CONCURRENCY,
      work_ms: WORK_MS,
      seconds: SECONDS,
      rounds,
    }),
  );
} finally {
  await admin.end();
  await db.close();
  await fresh.drop();
}
