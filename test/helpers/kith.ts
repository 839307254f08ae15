import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/config';
import { openKith, type Kith } from '../../src/server/open';
import { buildApp } from '../../src/server/app';

export interface TestKith {
  kith: Kith;
  app: FastifyInstance;
  /** Closes the app and the database, and drops the per-file PostgreSQL database. */
  close(): Promise<void>;
}

/**
 * A Kith instance for one test file: in-memory PGlite by default; with DATABASE_URL set, a fresh
 * PostgreSQL database created on that server and dropped afterwards, so files never share state.
 */
export async function startTestKith(): Promise<TestKith> {
  const serverUrl = process.env.DATABASE_URL;
  let dbName: string | undefined;
  let url: string | undefined;
  if (serverUrl) {
    dbName = `kith_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const u = new URL(serverUrl);
    u.pathname = `/${dbName}`;
    url = u.toString();
  }
  const config = { ...loadConfig({}), databaseUrl: url };
  const kith = await openKith(config, { memory: true });
  const app = await buildApp(kith);
  return {
    kith,
    app,
    async close() {
      await app.close();
      await kith.close();
      if (dbName && serverUrl) {
        const admin = new pg.Client({ connectionString: serverUrl });
        await admin.connect();
        await admin.query(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
    },
  };
}

export const FHIR_HEADERS = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };
