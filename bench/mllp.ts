// ADT messages/s over MLLP against `kith serve` on a fresh PostgreSQL database, with the server's
// write hooks (identity resolution, labels) on: 1 and 8 concurrent connections, p99 ACK latency.
// Prints one JSON line. BENCH_MLLP_N messages per run (default 2000). BENCH_MLLP_INFLIGHT=k adds a
// run of one connection that keeps k messages unacknowledged (the listener groups them);
// BENCH_MLLP_JOIN=1 a run of one connection whose Patients join stored Persons.
// Each run also reports the CPU time per message of the server process and of the database's
// PostgreSQL backends (from /proc, so it needs a local server): on a shared machine throughput says
// little, CPU per message says what a quiet 2-core machine could do.
// BENCH_DB names the database (default kith_bench_mllp_<pid>), BENCH_PORT the HTTP port (default
// random in 18900-18999), KITH_MLLP_PORT the MLLP port (default random in 25750-25949);
// MLLP_AUTO_EXPLAIN=1 logs every statement's plan (see explainEveryStatement); MLLP_LOG_STATEMENTS=1
// logs every statement (log_statement = all, in the server's log) for counting them per message.
import net from 'node:net';
import pg from 'pg';
import { backendPidsOf, processCpuMs } from './_measure';
import { explainEveryStatement, freshDatabase, logEveryStatement, startServer } from './_server';
import { frame, MllpDecoder } from '../src/integration/mllp/framing';
import { FEMALE_NAMES, MALE_NAMES, SURNAMES } from '../src/identity/generator/data-names';
import { CITIES } from '../src/identity/generator/data-places';

const N = Number(process.env.BENCH_MLLP_N ?? 2000);

// People drawn from the identity generator's name and place lists: "LAST1".."LAST997" all sound
// alike to a phonetic code, which made every message a candidate of every other.
const pickOf = <T>(list: T[], i: number, salt: number): T =>
  list[Math.abs(Math.imul(i + 1, 2654435761) ^ salt) % list.length];

function adt(i: number, run: string): string {
  const ts = '20240101120000';
  const female = i % 2 === 1;
  const given = pickOf(female ? FEMALE_NAMES : MALE_NAMES, i, 17);
  const family = pickOf(SURNAMES, i, 91);
  const birth = new Date(Date.UTC(1930, 0, 1) + (Math.imul(i + 7, 40503) % 33000) * 86_400_000);
  const dob = birth.toISOString().slice(0, 10).replaceAll('-', '');
  const [city, zips] = pickOf(CITIES, i, 5);
  const zip = pickOf(zips, i, 3);
  return [
    `MSH|^~\\&|BENCH|BENCHHOSP|KITH|COUNTY|${ts}||ADT^A04^ADT_A01|${run}-${i}|P|2.5.1`,
    `EVN|A04|${ts}`,
    `PID|1||${run}${i}^^^BENCHHOSP^MR||${family}^${given}||${dob}|${female ? 'F' : 'M'}|||${1 + (i % 9000)} MAIN ST^^${city}^CA^${zip}`,
    `PV1|1|O|CLINIC^^^BENCHHOSP||||||||||||||||V${run}${i}|||||||||||||||||||||||||${ts}`,
  ].join('\r');
}

/**
 * One sender: up to `inflight` messages sent and not yet acknowledged (1: each waits for its ACK,
 * as most HL7 senders do). ACKs come back in order; latency is from a message's send to its ACK.
 */
async function connection(
  port: number,
  ids: number[],
  run: string,
  lat: number[],
  inflight: number,
): Promise<number> {
  // A sender with nothing to send (fewer messages than connections) would wait for an ACK forever.
  if (ids.length === 0) return 0;
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  const decoder = new MllpDecoder();
  let ok = 0;
  let next = 0;
  const sentAt: number[] = [];
  await new Promise<void>((resolve, reject) => {
    const send = (): void => {
      while (next < ids.length && sentAt.length < inflight) {
        sentAt.push(performance.now());
        socket.write(frame(adt(ids[next++], run)));
      }
    };
    socket.on('data', (c: Buffer) => {
      for (const ack of decoder.push(c)) {
        lat.push(performance.now() - sentAt.shift()!);
        if (/MSA\|AA/.test(ack)) ok++;
      }
      if (sentAt.length === 0 && next >= ids.length) resolve();
      else send();
    });
    socket.once('error', reject);
    send();
  });
  socket.destroy();
  return ok;
}

interface Cpu {
  node: number;
  /** Backend pid → CPU ms. */
  backends: Map<number, number>;
  commits: number;
}

/** CPU of the server and of every backend connected to the bench database, and its commits. */
async function cpuNow(admin: pg.Client, db: string, serverPid: number): Promise<Cpu> {
  const pids = await backendPidsOf(admin, db);
  const stat = await admin.query(`select xact_commit::int as c from pg_stat_database where datname = $1`, [
    db,
  ]);
  return {
    node: processCpuMs(serverPid),
    backends: new Map(pids.map((pid) => [pid, processCpuMs(pid)])),
    commits: stat.rows[0].c,
  };
}

async function runWith(
  port: number,
  conns: number,
  run: string,
  cpu: () => Promise<Cpu>,
  inflight = 1,
): Promise<Record<string, number>> {
  const lat: number[] = [];
  const before = await cpu();
  const t0 = performance.now();
  const parts = Array.from({ length: conns }, (_, c) =>
    Array.from({ length: Math.ceil(N / conns) }, (_, k) => c + k * conns).filter((i) => i < N),
  );
  const ok = (await Promise.all(parts.map((ids) => connection(port, ids, run, lat, inflight)))).reduce(
    (a, b) => a + b,
    0,
  );
  const secs = (performance.now() - t0) / 1000;
  // Statistics reach pg_stat_database within its flush interval (up to a second).
  await new Promise((r) => setTimeout(r, 1200));
  const after = await cpu();
  let pgMs = 0;
  for (const [pid, ms] of after.backends) pgMs += ms - (before.backends.get(pid) ?? 0);
  lat.sort((a, b) => a - b);
  const pct = (p: number): number =>
    Math.round(lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)] * 10) / 10;
  const per = (x: number): number => Math.round((x / N) * 100) / 100;
  return {
    messages: N,
    acked_aa: ok,
    msgs_per_s: Math.round(N / secs),
    p50_ms: pct(0.5),
    p99_ms: pct(0.99),
    node_cpu_ms_per_msg: per(after.node - before.node),
    pg_cpu_ms_per_msg: per(pgMs),
    // The admin connection's own statistics queries count one commit each.
    commits_per_msg: per(after.commits - before.commits - 1),
  };
}

async function main(): Promise<void> {
  const name = process.env.BENCH_DB ?? `kith_bench_mllp_${process.pid}`;
  const db = await freshDatabase(name);
  if (process.env.MLLP_AUTO_EXPLAIN) await explainEveryStatement(db.url);
  if (process.env.MLLP_LOG_STATEMENTS) await logEveryStatement(db.url);
  // KITH_MLLP_PORT, when given and not 0, is the listener's port (helpers sharing a machine each have theirs).
  const given = Number(process.env.KITH_MLLP_PORT ?? 0);
  const mllpPort = given > 0 ? given : 25750 + Math.floor(Math.random() * 200);
  process.env.KITH_MLLP_PORT = String(mllpPort);
  const server = await startServer({
    databaseUrl: db.url,
    port: Number(process.env.BENCH_PORT ?? 18900 + Math.floor(Math.random() * 100)),
  });
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  const cpu = (): Promise<Cpu> => cpuNow(admin, name, server.pid!);
  try {
    await new Promise((r) => setTimeout(r, 500));
    const one = await runWith(mllpPort, 1, 'A', cpu);
    const eight = await runWith(mllpPort, 8, 'B', cpu);
    // BENCH_MLLP_INFLIGHT=k: also one connection whose sender keeps k messages unacknowledged.
    const k = Number(process.env.BENCH_MLLP_INFLIGHT ?? 0);
    const piped = k > 1 ? { [`c1_inflight${k}`]: await runWith(mllpPort, 1, 'C', cpu, k) } : {};
    // BENCH_MLLP_JOIN=1: one waiting connection again, whose Patients (new record numbers, the same
    // people as the runs before) each join a stored Person, where the c1 run's mostly found new ones.
    const join = process.env.BENCH_MLLP_JOIN ? { c1_join: await runWith(mllpPort, 1, 'D', cpu) } : {};
    console.log(
      JSON.stringify({ bench: 'mllp-adt', database: 'postgres', c1: one, c8: eight, ...piped, ...join }),
    );
  } finally {
    await admin.end();
    await server.stop();
    await db.drop();
  }
}

void main();
