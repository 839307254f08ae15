import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { startTestKith, type TestKith } from '../../../test/helpers/kith';
import { beginWithFirstQuery } from './begin-with-first';

let t: TestKith;
let client: pg.PoolClient;
beforeAll(async () => {
  t = await startTestKith();
  client = await t.kith.db.pool.connect();
  await client.query('create table begin_first_probe (n int primary key)');
});
afterAll(async () => {
  client?.release();
  await t?.close();
});

/** The Syncs and simple queries the client sends (each one reply the client waits for). */
function countWrites(c: pg.PoolClient): { syncs: () => number; simple: () => number; stop(): void } {
  const connection = (c as unknown as { connection: Record<'sync' | 'query', (...a: unknown[]) => unknown> })
    .connection;
  const counts = { sync: 0, query: 0 };
  const originals = { sync: connection.sync, query: connection.query };
  for (const k of ['sync', 'query'] as const)
    connection[k] = function (this: unknown, ...a: unknown[]) {
      counts[k]++;
      return originals[k].apply(this, a);
    };
  return {
    syncs: () => counts.sync,
    simple: () => counts.query,
    stop: () => Object.assign(connection, originals),
  };
}

describe('beginWithFirstQuery', () => {
  it('sends begin with the first statement (one sync, no query of its own) and returns only its result', async () => {
    const writes = countWrites(client);
    const tx = beginWithFirstQuery(client);
    expect(tx.begun()).toBe(false);
    const first = await tx.client.query({
      name: 'begin-first-probe-insert',
      text: 'insert into begin_first_probe (n) values ($1), ($2) returning n',
      values: [1, 2],
    });
    expect(tx.begun()).toBe(true);
    expect(first.rows.map((r) => r.n)).toEqual([1, 2]);
    expect(first.command).toBe('INSERT');
    expect(writes.syncs()).toBe(1);
    expect(writes.simple()).toBe(0);
    writes.stop();
    // In a transaction: a rollback takes the rows away.
    const inside = await tx.client.query('select count(*)::int as n from begin_first_probe');
    expect(inside.rows[0].n).toBe(2);
    await client.query('rollback');
    expect((await client.query('select count(*)::int as n from begin_first_probe')).rows[0].n).toBe(0);

    // The same named statement (parsed now) on the next transaction, committed.
    const again = beginWithFirstQuery(client);
    await again.client.query({
      name: 'begin-first-probe-insert',
      text: 'insert into begin_first_probe (n) values ($1), ($2) returning n',
      values: [3, 4],
    });
    await client.query('commit');
    expect((await client.query('select count(*)::int as n from begin_first_probe')).rows[0].n).toBe(2);
  });

  it('a first statement that fails to parse runs nothing (not even the begin), and is parsed again next time', async () => {
    const tx = beginWithFirstQuery(client);
    await expect(
      tx.client.query({
        name: 'begin-first-probe-bad',
        text: 'select n from no_such_table where n = $1',
        values: [1],
      }),
    ).rejects.toThrow(/no_such_table/);
    // Its parse failed before the begin, so nothing ran; the caller's rollback is harmless.
    await client.query('rollback');
    await client.query('create table no_such_table (n int)');
    const next = beginWithFirstQuery(client);
    const { rows } = await next.client.query({
      name: 'begin-first-probe-bad',
      text: 'select n from no_such_table where n = $1',
      values: [1],
    });
    expect(rows).toEqual([]);
    await client.query('commit');
  });

  it('a first statement that parses but fails (a duplicate key) runs again on the next transaction', async () => {
    const insert = { name: 'begin-first-probe-dup', text: 'insert into begin_first_probe (n) values ($1)' };
    await client.query('insert into begin_first_probe (n) values (50)');
    const tx = beginWithFirstQuery(client);
    await expect(tx.client.query({ ...insert, values: [50] })).rejects.toThrow(/duplicate key/);
    await client.query('rollback');
    const next = beginWithFirstQuery(client);
    await next.client.query({ ...insert, values: [51] });
    await client.query('commit');
    expect(
      (await client.query('select count(*)::int as n from begin_first_probe where n > 49')).rows[0].n,
    ).toBe(2);
  });

  it('begins alone before a statement without parameters, which may be several', async () => {
    const tx = beginWithFirstQuery(client);
    await tx.client.query(
      'insert into begin_first_probe (n) values (10); insert into begin_first_probe (n) values (11)',
    );
    await client.query('rollback');
    expect(
      (await client.query('select count(*)::int as n from begin_first_probe where n in (10, 11)')).rows[0].n,
    ).toBe(0);
  });
});
