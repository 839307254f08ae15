import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/config';
import { openKith, type Kith } from '../src/server/open';
import { buildApp } from '../src/server/app';
import { installNotify } from '../src/notify';
import { installReferrals } from '../src/referrals';

/** The machine's PostgreSQL server (trust auth); override with BENCH_PG_URL. */
export const PG_SERVER = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchServer {
  base: string;
  /** A system access token (client_credentials with the bootstrap client), when the server asks for one. */
  token?: string;
  databaseUrl?: string;
  /** The server process (its CPU time is in /proc/PID/stat). */
  pid?: number;
  stop(): Promise<void>;
}

/**
 * Creates a fresh PostgreSQL database on `server` (a URL naming any database there; default
 * PG_SERVER) and returns its URL and a drop function.
 */
export async function freshDatabase(
  name: string,
  server: string = PG_SERVER,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(server);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: server });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/**
 * Has PostgreSQL log every statement of the database at `url` with its plan, actual times and
 * buffers (auto_explain, loaded per session; the server log is where it goes). For finding which
 * part of a statement costs what; the timing it adds makes the bench's own figures meaningless.
 */
export async function explainEveryStatement(url: string): Promise<void> {
  const a = new pg.Client({ connectionString: url });
  await a.connect();
  const name = new URL(url).pathname.slice(1);
  for (const [k, v] of [
    ['session_preload_libraries', 'auto_explain'],
    ['auto_explain.log_min_duration', '0'],
    ['auto_explain.log_analyze', 'on'],
    ['auto_explain.log_buffers', 'on'],
    ['auto_explain.log_nested_statements', 'on'],
  ])
    await a.query(`alter database ${name} set ${k} = '${v}'`);
  await a.end();
}

/** Has PostgreSQL log every statement of the database at `url` (log_statement = all, no timing added). */
export async function logEveryStatement(url: string): Promise<void> {
  const a = new pg.Client({ connectionString: url });
  await a.connect();
  await a.query(`alter database ${new URL(url).pathname.slice(1)} set log_statement = 'all'`);
  await a.end();
}

/**
 * Starts `kith serve` in its own process, like production, on PostgreSQL, on the PGlite folder given
 * (kept on stop), or on a fresh PGlite folder (removed on stop).
 */
export async function startServer(opts: {
  databaseUrl?: string;
  dataDir?: string;
  port: number;
}): Promise<BenchServer> {
  const ownDir = !opts.databaseUrl && !opts.dataDir;
  const dataDir = opts.dataDir ?? (ownDir ? mkdtempSync(path.join(os.tmpdir(), 'kith-bench-')) : undefined);
  const clientId = 'kith-bench';
  const clientSecret = randomBytes(24).toString('hex');
  const env = {
    ...process.env,
    KITH_BOOTSTRAP_CLIENT_ID: clientId,
    KITH_BOOTSTRAP_CLIENT_SECRET: clientSecret,
    PORT: String(opts.port),
    HOST: '127.0.0.1',
    DATABASE_URL: opts.databaseUrl ?? '',
    KITH_DATA_DIR: dataDir ?? '',
    KITH_LOG_LEVEL: 'error',
  };
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server under the load.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, 'bin/kith.mjs', 'serve', '--no-demo'], {
    env,
    // The server's output goes to stderr: stdout is the bench's one JSON line, and an unread pipe
    // would stall a server that logs much.
    stdio: ['ignore', 2, 'inherit'],
  });
  const base = `http://127.0.0.1:${opts.port}/fhir`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kith serve exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${base}/metadata`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      // Not left running: the caller removes its data folder next.
      child.kill('SIGTERM');
      throw new Error('kith serve did not start in 120 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const token = await systemToken(base.replace(/\/fhir$/, ''), clientId, clientSecret).catch(
    (err: unknown) => {
      child.kill('SIGTERM'); // not left running (and holding the port) when the caller gives up
      throw err;
    },
  );
  return {
    base,
    token,
    databaseUrl: opts.databaseUrl,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      if (ownDir && dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A system/*.* token from the server's OAuth token endpoint, or undefined when it has none. */
async function systemToken(origin: string, clientId: string, secret: string): Promise<string | undefined> {
  const r = await fetch(`${origin}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.*' }).toString(),
  }).catch(() => undefined);
  if (!r || r.status === 404) return undefined;
  if (!r.ok) throw new Error(`token endpoint answered ${r.status}: ${await r.text()}`);
  return ((await r.json()) as { access_token: string }).access_token;
}

/**
 * Kith with notifications (delivery worker off: benches time the enqueue, in the write's
 * transaction) and referrals, and its HTTP app in this process. BENCH_DB=pglite: in-memory PGlite;
 * else a fresh PostgreSQL database named `<dbPrefix>_<now>` on DATABASE_URL's server (or
 * PG_SERVER), dropped by `close`.
 */
export async function openReferralApp(
  dbPrefix: string,
): Promise<{ kith: Kith; app: FastifyInstance; close: () => Promise<void> }> {
  const usePg = process.env.BENCH_DB !== 'pglite';
  const fresh = usePg
    ? await freshDatabase(`${dbPrefix}_${Date.now()}`, process.env.DATABASE_URL || undefined)
    : undefined;
  const kith = await openKith({ ...loadConfig({}), databaseUrl: fresh?.url }, { memory: true });
  await installNotify(kith);
  await installReferrals(kith);
  const app = await buildApp(kith);
  await installNotify(kith, app, { worker: false });
  await installReferrals(kith, app);
  await app.ready();
  return {
    kith,
    app,
    async close() {
      await app.close();
      await kith.close();
      await fresh?.drop();
    },
  };
}
