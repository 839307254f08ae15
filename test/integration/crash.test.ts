import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config';
import { openKith } from '../../src/server/open';
import { frame, MllpDecoder } from '../../src/integration/mllp/framing';

/**
 * Crash safety: `kith serve` in its own process takes a stream of ADT messages over MLLP and is
 * killed with SIGKILL twice mid-stream. The sender re-sends whatever it got no ACK for, as a real
 * interface engine would. At the end every message is stored exactly once: an AA means committed,
 * and a re-sent message that had been committed before the kill is recognised by its control id.
 * KITH_CRASH_MESSAGES sets the stream length (the full run is 10,000).
 */
const TOTAL = Number(process.env.KITH_CRASH_MESSAGES ?? 300);
const KILLS = [Math.floor(TOTAL / 3), Math.floor((2 * TOTAL) / 3)];
const WINDOW = 16;
const SENDER = 'CRASHTEST';

function adt(i: number): { id: string; text: string } {
  const id = `M${String(i).padStart(6, '0')}`;
  const day = String((i % 28) + 1).padStart(2, '0');
  const text = [
    `MSH|^~\\&|EHR|${SENDER}|KITH|COUNTY|20240101120000||ADT^A04^ADT_A01|${id}|P|2.5.1`,
    'EVN|A04|20240101120000',
    `PID|1||MRN${i}^^^${SENDER}^MR||CRASH${i}^PAT${i}||19${50 + (i % 50)}01${day}|${i % 2 ? 'F' : 'M'}`,
    `PV1|1|O|||||||||||||||||VN${i}^^^${SENDER}^VN|||||||||||||||||||||||||20240101120000`,
  ].join('\r');
  return { id, text };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

interface Server {
  child: ChildProcess;
  mllpPort: number;
}

async function startServe(env: NodeJS.ProcessEnv): Promise<Server> {
  const [httpPort, mllpPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['bin/kith.mjs', 'serve', '--no-demo'], {
    env: { ...env, PORT: String(httpPort), HOST: '127.0.0.1', KITH_MLLP_PORT: String(mllpPort) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kith serve exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(mllpPort, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return { child, mllpPort };
    if (Date.now() > deadline) throw new Error('kith serve did not open its MLLP port in 120 s');
    await new Promise((r) => setTimeout(r, 250));
  }
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  return exited;
}

/**
 * Sends `pending` (in order, WINDOW frames in flight) until all are acknowledged or the connection
 * drops; `onAck` sees each ACK by control id and may kill the server.
 */
async function stream(
  port: number,
  pending: number[],
  onAck: (controlId: string, code: string) => void,
): Promise<number> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const decoder = new MllpDecoder();
  let next = 0;
  let inFlight = 0;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (inFlight < WINDOW && next < pending.length && !socket.destroyed) {
        socket.write(frame(adt(pending[next++]).text));
        inFlight++;
      }
      if (inFlight === 0 && next >= pending.length) {
        socket.destroy();
        resolve();
      }
    };
    socket.on('connect', pump);
    socket.on('data', (chunk) => {
      for (const ack of decoder.push(chunk)) {
        const msa =
          ack
            .split(/\r|\n/)
            .find((s) => s.startsWith('MSA'))
            ?.split('|') ?? [];
        inFlight--;
        onAck(msa[2] ?? '', msa[1] ?? '');
      }
      pump();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
  return next;
}

describe('MLLP crash safety (kith serve killed with SIGKILL mid-stream)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it(`${TOTAL} ADT messages, two kills: every message stored exactly once`, async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KITH_LOG_LEVEL: 'error',
      KITH_CHANNELS_DIR: '/nonexistent',
    };
    const serverUrl = process.env.DATABASE_URL;
    let databaseUrl: string | undefined;
    let dataDir: string | undefined;
    if (serverUrl) {
      const name = `kith_crash_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const u = new URL(serverUrl);
      u.pathname = `/${name}`;
      databaseUrl = u.toString();
      cleanups.push(async () => {
        const a = new pg.Client({ connectionString: serverUrl });
        await a.connect();
        await a.query(`drop database if exists ${name} with (force)`);
        await a.end();
      });
      env.DATABASE_URL = databaseUrl;
    } else {
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'kith-crash-'));
      cleanups.push(async () => rmSync(dataDir!, { recursive: true, force: true }));
      env.DATABASE_URL = '';
      env.KITH_DATA_DIR = dataDir;
    }

    const acked = new Set<number>();
    const refused: string[] = [];
    let sends = 0;
    let restarts = 0;
    let server = await startServe(env);
    cleanups.push(async () => kill(server.child, 'SIGKILL'));
    const kills = [...KILLS];
    while (acked.size < TOTAL && refused.length === 0) {
      // Everything not acknowledged with AA goes again (in order), after a restart or not.
      const pending = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => !acked.has(i));
      let killed: Promise<void> | undefined;
      sends += await stream(server.mllpPort, pending, (controlId, code) => {
        // ACKs that arrive between the decision to crash and the kill are treated as lost with
        // the crash: those messages are committed but re-sent, and must not be stored twice.
        if (killed) return;
        if (code !== 'AA') refused.push(`${controlId}: ${code}`);
        else acked.add(Number(controlId.slice(1)));
        if (kills.length > 0 && acked.size >= kills[0]) {
          kills.shift();
          const child = server.child;
          killed = new Promise<void>((r) => setTimeout(r, 500)).then(() => kill(child, 'SIGKILL'));
        }
      });
      if (killed) {
        await killed;
        restarts++;
        server = await startServe(env);
      }
    }
    expect(refused).toEqual([]);
    expect(restarts).toBe(2);
    // Messages were in flight at each kill, so some were sent twice.
    expect(sends).toBeGreaterThan(TOTAL);
    await kill(server.child, 'SIGTERM');

    const kith = await openKith({ ...loadConfig({}), databaseUrl, dataDir: dataDir ?? '' });
    cleanups.unshift(async () => kith.close());
    const one = async (sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> =>
      (await kith.db.query(sql, params)).rows as Record<string, unknown>[];

    const messages = await one(
      `select message_key, status, duplicates from integration_messages where message_key like $1`,
      [`${SENDER}|%`],
    );
    expect(messages).toHaveLength(TOTAL);
    expect(messages.every((m) => m.status === 'committed')).toBe(true);
    // Committed before a kill with the ACK lost: re-sent, recognised by control id, stored once.
    const resent = messages.filter((m) => Number(m.duplicates) > 0).length;
    expect(resent).toBeGreaterThan(0);

    // Each identifier (MRN, visit number) appears on exactly one live resource.
    const perIdentifier = async (type: string, prefix: string): Promise<Map<string, number>> => {
      const rows = await one('select content from fhir_resources where resource_type = $1 and not deleted', [
        type,
      ]);
      const seen = new Map<string, number>();
      for (const r of rows) {
        const res = (typeof r.content === 'string' ? JSON.parse(r.content) : r.content) as {
          identifier?: { value?: string }[];
        };
        for (const v of (res.identifier ?? []).map((x) => x.value ?? '')) {
          if (v.startsWith(prefix)) seen.set(v, (seen.get(v) ?? 0) + 1);
        }
      }
      return seen;
    };
    const patients = await perIdentifier('Patient', 'MRN');
    const encounters = await perIdentifier('Encounter', 'VN');
    for (let i = 0; i < TOTAL; i++) {
      expect(patients.get(`MRN${i}`), `Patient MRN${i}`).toBe(1);
      expect(encounters.get(`VN${i}`), `Encounter VN${i}`).toBe(1);
    }
    expect(patients.size).toBe(TOTAL);
    expect(encounters.size).toBe(TOTAL);
    const provenance = await one(
      `select count(*)::int as n from fhir_resources where resource_type = 'Provenance' and not deleted`,
    );
    expect(provenance[0].n).toBe(TOTAL);
    console.log(
      `crash test: ${TOTAL} messages, ${sends} sends, 2 SIGKILLs, ${resent} re-sent after commit (answered from the stored ACK)`,
    );
  }, 900_000);
});
