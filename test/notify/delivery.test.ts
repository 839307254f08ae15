import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Parameters } from '@medplum/fhirtypes';
import { loadConfig } from '../../src/config/config';
import { openKith, type Kith } from '../../src/server/open';
import { buildApp } from '../../src/server/app';
import { installNotify, GRAVITY_TASK_TOPIC, EXT_CONTENT } from '../../src/notify';
import { installReferrals } from '../../src/referrals';
import { fhirClient } from '../helpers/http';
import { authorizeTestApp } from '../helpers/kith';
import { waitFor } from '../referrals/setup';

const FAST = { delivery: { pollMs: 30, baseDelayMs: 60, maxDelayMs: 300 } };

/** A subscriber on 127.0.0.1 that can go down and come back on the same port. */
class Subscriber {
  received: Bundle[] = [];
  private server?: http.Server;
  port = 0;
  async up(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.received.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }
  async down(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    this.server = undefined;
  }
  status(b: Bundle): Record<string, any> {
    const p = b.entry?.[0]?.resource as Parameters;
    const get = (n: string): any => p.parameter?.find((x) => x.name === n);
    return {
      type: get('type')?.valueCode,
      status: get('status')?.valueCode,
      events: (p.parameter ?? [])
        .filter((x) => x.name === 'notification-event')
        .map((x) => Number(x.part?.find((y) => y.name === 'event-number')?.valueString)),
      focus: b.entry?.slice(1).map((e) => e.fullUrl?.split('/').pop()),
    };
  }
  events(): { n: number; id: string }[] {
    return this.received
      .map((b) => this.status(b))
      .filter((s) => s.type === 'event-notification')
      .map((s) => ({ n: s.events[0], id: s.focus[0] }));
  }
}

/** Opens Kith on the same store each time: a PGlite data directory, or (DATABASE_URL) one PostgreSQL database. */
async function open(dataDir: string): Promise<{ kith: Kith; app: Awaited<ReturnType<typeof buildApp>> }> {
  const kith = await openKith({ ...loadConfig({}), dataDir, databaseUrl: pgUrl });
  await installNotify(kith);
  await installReferrals(kith);
  const app = await buildApp(kith);
  await installNotify(kith, app, FAST);
  await installReferrals(kith, app);
  await authorizeTestApp(kith, app);
  await app.ready();
  return { kith, app };
}

const task = (n: number) => ({
  resourceType: 'Task',
  status: 'requested',
  intent: 'proposal',
  description: `task ${n}`,
});

let pgUrl: string | undefined;
let pgName: string | undefined;

describe('durable rest-hook delivery', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kith-notify-'));
  beforeAll(async () => {
    if (!process.env.DATABASE_URL) return;
    pgName = `kith_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${pgName}`);
    await admin.end();
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = `/${pgName}`;
    pgUrl = u.toString();
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (!pgName) return;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${pgName} with (force)`);
    await admin.end();
  });

  it(
    'keeps every notification while the subscriber is down and across a restart, then delivers them in order',
    { timeout: 300_000 },
    async () => {
      const sub = new Subscriber();
      await sub.up();
      const port = sub.port;
      await sub.down(); // the endpoint refuses connections from now on

      let { kith, app } = await open(dir);
      let fhir = fhirClient(app);
      const created = await fhir.create({
        resourceType: 'Subscription',
        status: 'requested',
        reason: 'test',
        criteria: GRAVITY_TASK_TOPIC,
        channel: {
          type: 'rest-hook',
          endpoint: `http://127.0.0.1:${port}/hook`,
          payload: 'application/fhir+json',
          _payload: { extension: [{ url: EXT_CONTENT, valueCode: 'id-only' }] },
        },
      } as any);
      expect(created.status).toBe('requested');
      const ids: string[] = [];
      for (let i = 1; i <= 5; i++) ids.push((await fhir.create(task(i))).id);
      // Let the worker fail a few times.
      await waitFor(async () => {
        const { rows } = await kith.db.query('select max(attempts) as a from notify_outbox');
        return Number(rows[0].a) >= 2;
      });
      const { rows: queued } = await kith.db.query(
        `select count(*)::int as n from notify_outbox where state = 'pending' and kind = 'event-notification'`,
      );
      expect(queued[0].n).toBe(5);
      await app.close();
      await kith.close();

      // Restart on the same data directory; more changes while still down.
      ({ kith, app } = await open(dir));
      fhir = fhirClient(app);
      for (let i = 6; i <= 8; i++) ids.push((await fhir.create(task(i))).id);
      await new Promise((r) => setTimeout(r, 300));
      expect(sub.received).toHaveLength(0);
      await sub.up(); // back, same port
      await waitFor(() => sub.events().length >= 8 || undefined, 30_000);
      await new Promise((r) => setTimeout(r, 300)); // nothing more arrives
      const kinds = sub.received.map((b) => sub.status(b).type);
      expect(kinds[0]).toBe('handshake');
      const events = sub.events();
      expect(events.map((e) => e.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(events.map((e) => e.id)).toEqual(ids);
      const after = await fhir.get(`Subscription/${created.id}`);
      expect(after.body.status).toBe('active');
      const st = await fhir.get(`Subscription/${created.id}/$status`);
      const p = st.body.entry[0].resource as Parameters;
      expect(p.parameter?.find((x) => x.name === 'events-since-subscription-start')?.valueString).toBe('8');
      expect(p.parameter?.find((x) => x.name === 'status')?.valueCode).toBe('active');
      await app.close();
      await kith.close();
      await sub.down();
    },
  );
});
