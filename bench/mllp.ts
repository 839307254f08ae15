// ADT messages/s over MLLP against `kith serve` on a fresh PostgreSQL database, with the server's
// write hooks (identity resolution, labels) on: 1 and 8 concurrent connections, p99 ACK latency.
// Prints one JSON line. BENCH_MLLP_N messages per run (default 2000).
import net from 'node:net';
import { freshDatabase, startServer } from './_server';
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

async function connection(port: number, ids: number[], run: string, lat: number[]): Promise<number> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  const decoder = new MllpDecoder();
  let ok = 0;
  for (const i of ids) {
    const t0 = performance.now();
    const ack = await new Promise<string>((resolve) => {
      const onData = (c: Buffer): void => {
        const acks = decoder.push(c);
        if (acks.length) {
          socket.off('data', onData);
          resolve(acks[0]);
        }
      };
      socket.on('data', onData);
      socket.write(frame(adt(i, run)));
    });
    lat.push(performance.now() - t0);
    if (/MSA\|AA/.test(ack)) ok++;
  }
  socket.destroy();
  return ok;
}

async function runWith(port: number, conns: number, run: string): Promise<Record<string, number>> {
  const lat: number[] = [];
  const t0 = performance.now();
  const parts = Array.from({ length: conns }, (_, c) =>
    Array.from({ length: Math.ceil(N / conns) }, (_, k) => c + k * conns).filter((i) => i < N),
  );
  const ok = (await Promise.all(parts.map((ids) => connection(port, ids, run, lat)))).reduce(
    (a, b) => a + b,
    0,
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const pct = (p: number): number =>
    Math.round(lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)] * 10) / 10;
  return { messages: N, acked_aa: ok, msgs_per_s: Math.round(N / secs), p50_ms: pct(0.5), p99_ms: pct(0.99) };
}

async function main(): Promise<void> {
  const db = await freshDatabase('kith_bench_mllp');
  const mllpPort = 25750 + Math.floor(Math.random() * 200);
  process.env.KITH_MLLP_PORT = String(mllpPort);
  const server = await startServer({ databaseUrl: db.url, port: 18900 + Math.floor(Math.random() * 100) });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const one = await runWith(mllpPort, 1, 'A');
    const eight = await runWith(mllpPort, 8, 'B');
    console.log(JSON.stringify({ bench: 'mllp-adt', database: 'postgres', c1: one, c8: eight }));
  } finally {
    await server.stop();
    await db.drop();
  }
}

void main();
