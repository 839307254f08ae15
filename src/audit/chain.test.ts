import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../privacy/caller';
import { startTestKith, type TestKith } from '../../test/helpers/kith';
import { loadConfig } from '../config/config';
import { openKith } from '../server/open';
import { canonicalJson, chainHash, GENESIS_HASH } from './canonical';
import { AuditWriter, recordAudit, recordAuditBatch, recordAuditMany } from './record';
import { verifyAuditChain } from './verify';
import './migrations';

let t: TestKith;
const db = () => t.kith.db;

const caller: Caller = {
  kind: 'user',
  subject: 'u-7',
  displayName: 'Avery Lee',
  practitionerRole: 'PractitionerRole/pr-7',
  organization: { id: 'org-cbo', kind: 'cbo', hipaaCoveredEntity: false, part2Program: false },
  accessLevel: 'exchange',
  roles: [],
  purposeOfUse: 'CAREMGT',
  scopes: [],
};

/** Runs SQL that changes the trail, as someone with direct database access would (triggers off). */
async function tamper(sql: string, params: unknown[] = []): Promise<void> {
  await db().transaction(async (c) => {
    await c.query('alter table audit_events disable trigger user');
    await c.query(sql, params);
    await c.query('alter table audit_events enable trigger user');
  });
}

beforeAll(async () => {
  t = await startTestKith();
});
afterAll(async () => t?.close());

describe('the audit chain', () => {
  it('canonical JSON sorts keys, drops undefined and survives jsonb', async () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 'x' }], e: 'nul\u0000' })).toBe(
      '{"a":[{"c":"x"}],"b":1,"e":"nul\uFFFD"}',
    );
    const value = { z: 1.5, a: 'é ✓ \ud83d\ude00', n: 1e21, list: [3, 2, 1], deep: { y: null, x: true } };
    const { rows } = await db().query('select $1::jsonb::text as j', [canonicalJson(value)]);
    expect(canonicalJson(JSON.parse(rows[0].j))).toBe(canonicalJson(value));
  });

  it('records events as FHIR AuditEvents, chained from the genesis hash', async () => {
    const first = await recordAudit(db(), {
      action: 'read',
      caller,
      resources: ['Observation/o-1'],
      patients: ['Patient/p-1'],
      network: { address: '10.1.1.1' },
    });
    expect(first.seq).toBe(1);
    const { rows } = await db().query('select event, prev_hash, hash from audit_events where seq = 1');
    const event = JSON.parse(rows[0].event);
    expect(rows[0].prev_hash).toBe(GENESIS_HASH);
    expect(rows[0].hash).toBe(chainHash(GENESIS_HASH, rows[0].event));
    expect(rows[0].event).toBe(canonicalJson(event));
    expect(event).toMatchObject({
      resourceType: 'AuditEvent',
      type: { code: 'rest' },
      action: 'R',
      outcome: '0',
      purposeOfEvent: [{ coding: [{ code: 'CAREMGT' }] }],
      agent: [
        {
          who: { reference: 'PractitionerRole/pr-7', display: 'Avery Lee', identifier: { value: 'u-7' } },
          requestor: true,
          network: { address: '10.1.1.1' },
          extension: [{ valueReference: { reference: 'Organization/org-cbo' } }],
        },
      ],
    });
    expect(event.subtype.map((c: { code: string }) => c.code)).toEqual(['read', 'read']);
    expect(event.entity.map((e: { what: { reference: string } }) => e.what.reference)).toEqual([
      'Patient/p-1',
      'Observation/o-1',
    ]);
  });

  it('chains single appends, batches and the group-commit writer into one verified line', async () => {
    await recordAuditBatch(
      db(),
      Array.from({ length: 20 }, (_, i) => ({
        action: 'search' as const,
        caller,
        query: `Observation?patient=p-${i % 3}`,
        patients: [`Patient/p-${i % 3}`],
      })),
    );
    const writer = new AuditWriter(db(), { maxBatch: 8 });
    const many = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        writer.record({ action: i % 2 ? 'create' : 'update', caller, resources: [`Task/t-${i}`] }),
      ),
    );
    expect(new Set(many.map((m) => m.seq)).size).toBe(50);
    // Two batches in flight at once: the head's lock still makes them one line, each in order.
    const pipelined = new AuditWriter(db(), { maxBatch: 4, inFlight: 2 });
    const piped = await Promise.all(
      Array.from({ length: 21 }, (_, i) =>
        pipelined.record({ action: 'read', caller, resources: [`Task/p-${i}`] }),
      ),
    );
    expect(new Set(piped.map((m) => m.seq)).size).toBe(21);
    // Plain concurrent appends over the pool (real concurrency on PostgreSQL), single events and
    // one-statement groups interleaved: the head's lock must order them into one line.
    const appended = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) =>
        recordAudit(db(), { action: 'read', caller, resources: [`Goal/g-${i}`] }).then((r) => [r]),
      ),
      ...Array.from({ length: 6 }, (_, k) =>
        recordAuditMany(
          db(),
          Array.from({ length: 5 }, (_, i) => ({
            action: 'read' as const,
            caller,
            resources: [`Goal/m-${k}-${i}`],
            patients: i % 2 ? [`Patient/p-${k}`, `Patient/q-${k}`] : [],
          })),
        ),
      ),
    ]);
    // A group's events are consecutive and in the order given.
    for (const group of appended.filter((g) => g.length > 1))
      expect(group.map((r) => r.seq)).toEqual(group.map((_, i) => group[0].seq + i));
    const result = await verifyAuditChain(db(), { batchSize: 7 });
    expect(result).toMatchObject({ ok: true, count: 162, head: { seq: 162 } });
    const { rows } = await db().query(
      'select min(seq)::int as lo, max(seq)::int as hi, count(*)::int as n from audit_events',
    );
    expect(rows[0]).toEqual({ lo: 1, hi: 162, n: 162 });
    const q2 = await db().query(`select patients from audit_events where 'Patient/q-2' = any(patients)`);
    expect(q2.rows.map((r) => r.patients)).toEqual([
      ['Patient/p-2', 'Patient/q-2'],
      ['Patient/p-2', 'Patient/q-2'],
    ]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(db().query(`update audit_events set action = 'x' where seq = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db().query('delete from audit_events where seq = 1')).rejects.toThrow(/append-only/);
    await expect(db().query('truncate audit_events')).rejects.toThrow(/append-only/);
  });

  it('names an event whose stored JSON was changed', async () => {
    const { rows } = await db().query('select id, event from audit_events where seq = 42');
    const original = rows[0].event;
    await tamper(
      `update audit_events set event = jsonb_set(event::jsonb, '{agent,0,who,display}', '"Someone Else"')::text where seq = 42`,
    );
    const result = await verifyAuditChain(db());
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toMatchObject({ seq: 42, id: rows[0].id, kind: 'altered' });
    expect(result.count).toBe(41);
    await tamper('update audit_events set event = $1 where seq = 42', [original]);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it('names an event that was changed and re-hashed', async () => {
    const { rows } = await db().query('select id, event, hash from audit_events where seq = 10');
    const changed = { ...JSON.parse(rows[0].event), outcome: '8' };
    const prev = (await db().query('select hash from audit_events where seq = 9')).rows[0].hash;
    await tamper('update audit_events set event = $1, hash = $2 where seq = 10', [
      canonicalJson(changed),
      chainHash(prev, canonicalJson(changed)),
    ]);
    const result = await verifyAuditChain(db());
    expect(result.firstBroken).toMatchObject({ seq: 10, id: rows[0].id, kind: 'altered' });
    await tamper('update audit_events set event = $1, hash = $2 where seq = 10', [
      rows[0].event,
      rows[0].hash,
    ]);
    expect((await verifyAuditChain(db())).ok).toBe(true);
  });

  it('names the gap of a deleted event, and a deleted last event', async () => {
    const { rows } = await db().query('select * from audit_events where seq = 77');
    const deleted = rows[0];
    await tamper('delete from audit_events where seq = 77');
    const result = await verifyAuditChain(db());
    expect(result.firstBroken).toMatchObject({ seq: 77, id: deleted.id, kind: 'deleted' });
    expect(result.firstBroken?.reason).toContain('event 77 is missing');

    const last = (await db().query('select id from audit_events where seq = 111')).rows[0];
    await tamper('delete from audit_events where seq = 111');
    await tamper(
      `insert into audit_events (seq, id, recorded, action, outcome, patients, event, prev_id, prev_hash, hash)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        deleted.seq,
        deleted.id,
        deleted.recorded,
        deleted.action,
        deleted.outcome,
        deleted.patients,
        deleted.event,
        deleted.prev_id,
        deleted.prev_hash,
        deleted.hash,
      ],
    );
    const tail = await verifyAuditChain(db());
    expect(tail.firstBroken).toMatchObject({ seq: 111, id: last.id, kind: 'deleted' });
  });

  it('names an event whose indexed columns were changed', async () => {
    await tamper(`update audit_events set patients = array['Patient/someone-else'] where seq = 3`);
    const result = await verifyAuditChain(db());
    expect(result.firstBroken).toMatchObject({ seq: 3, kind: 'altered' });
  });
});

describe('kith audit verify', () => {
  it('prints the altered event and exits 1', { timeout: 300_000 }, async () => {
    // A database the CLI can open on its own: a PGlite directory, or a fresh PostgreSQL database.
    const dir = mkdtempSync(path.join(tmpdir(), 'kith-audit-'));
    const env: Record<string, string> = { ...(process.env as Record<string, string>), KITH_DATA_DIR: dir };
    const config = { ...loadConfig({ KITH_DATA_DIR: dir }), databaseUrl: t.kith.config.databaseUrl };
    if (config.databaseUrl) env.DATABASE_URL = config.databaseUrl;
    try {
      if (!config.databaseUrl) {
        const k = await openKith(config);
        for (let i = 0; i < 5; i++)
          await recordAudit(k.db, { action: 'read', caller, resources: [`Patient/p-${i}`] });
        await k.db.query('alter table audit_events disable trigger user');
        await k.db.query(
          `update audit_events set event = jsonb_set(event::jsonb, '{action}', '"D"')::text where seq = 4`,
        );
        await k.close();
      }
      const id = config.databaseUrl
        ? (await db().query('select id from audit_events where seq = 3')).rows[0].id
        : undefined;
      const bin = fileURLToPath(new URL('../../bin/kith.mjs', import.meta.url));
      const r = spawnSync(process.execPath, [bin, 'audit', 'verify'], {
        env,
        encoding: 'utf8',
        timeout: 240_000,
      });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toContain('BROKEN');
      expect(r.stdout).toMatch(
        config.databaseUrl ? new RegExp(`event 3 \\(${id}\\)`) : /event 4 \([0-9a-f-]{36}\) was changed/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
