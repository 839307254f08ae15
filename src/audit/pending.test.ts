import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../privacy/caller';
import { startTestKith, type TestKith } from '../../test/helpers/kith';
import { AuditWriter, recordPendingAudit } from './record';
import { verifyAuditChain } from './verify';
import './migrations';

let t: TestKith;
const db = () => t.kith.db;

const caller: Caller = {
  kind: 'user',
  subject: 'u-9',
  displayName: 'Robin Diaz',
  organization: { id: 'org-clinic', kind: 'provider', hipaaCoveredEntity: true, part2Program: false },
  accessLevel: 'edit',
  roles: [],
  purposeOfUse: 'TREAT',
  scopes: [],
};

const chained = async (): Promise<string[]> =>
  (
    await db().query(`select event::jsonb -> 'entity' -> 0 -> 'what' ->> 'reference' as ref from audit_events
                      where action = 'create' order by seq`)
  ).rows.map((r) => r.ref as string);

beforeAll(async () => {
  t = await startTestKith();
});
afterAll(async () => t?.close());

describe('events recorded inside a write transaction', () => {
  it('join the chain after their transaction commits, in order; rolled-back ones never do', async () => {
    const writer = new AuditWriter(db());
    await db().transaction(async (c) => {
      for (const i of [1, 2, 3])
        await recordPendingAudit(c, { action: 'create', caller, resources: [`Goal/g-${i}`] });
    });
    await expect(
      db().transaction(async (c) => {
        await recordPendingAudit(c, { action: 'create', caller, resources: ['Goal/rolled-back'] });
        throw new Error('the write failed');
      }),
    ).rejects.toThrow('the write failed');
    writer.notePending();
    // A read recorded through the writer afterwards lands behind the pending events.
    await writer.record({ action: 'read', caller, resources: ['Goal/g-1'] });
    expect(await chained()).toEqual(['Goal/g-1', 'Goal/g-2', 'Goal/g-3']);
    const { rows } = await db().query('select count(*)::int as n from audit_pending');
    expect(rows[0].n).toBe(0);

    await db().transaction(async (c) => {
      await recordPendingAudit(c, { action: 'create', caller, resources: ['Goal/g-4'] });
    });
    await writer.flush();
    expect(await chained()).toEqual(['Goal/g-1', 'Goal/g-2', 'Goal/g-3', 'Goal/g-4']);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true, count: 5 });
  });

  it('a sweep with nothing pending leaves the chain head alone; reads go on in one statement', async () => {
    const statements: string[] = [];
    const watched = {
      query: (sql: any, params?: unknown[]) => {
        statements.push(typeof sql === 'string' ? sql : sql.text);
        return db().query(sql, params);
      },
      transaction: <T>(fn: (c: any) => Promise<T>) =>
        db().transaction((c) =>
          fn({
            query: (sql: any, params?: unknown[]) => {
              statements.push(typeof sql === 'string' ? sql : sql.text);
              return c.query(sql, params);
            },
          }),
        ),
    };
    const writer = new AuditWriter(watched as any);
    writer.notePending();
    await writer.flush();
    await Promise.all(
      [1, 2, 3].map((i) => writer.record({ action: 'read', caller, resources: [`Goal/g-${i}`] })),
    );
    expect(
      statements.some((s) => /^select seq, hash, last_id from audit_head|delete from audit_pending/.test(s)),
    ).toBe(false);
    expect(statements.filter((s) => /insert into audit_events/.test(s)).length).toBeLessThanOrEqual(2);
    // An event left pending is still swept in once there is one.
    await db().transaction(async (c) => {
      await recordPendingAudit(c, { action: 'create', caller, resources: ['Goal/g-5'] });
    });
    writer.notePending();
    await writer.flush();
    expect((await chained()).at(-1)).toBe('Goal/g-5');
    expect(statements.some((s) => /delete from audit_pending/.test(s))).toBe(true);
    expect(await verifyAuditChain(db())).toMatchObject({ ok: true });
  });
});
