import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import { startTestKith, type TestKith } from '../../test/helpers/kith';
import { readColumns, riderCtes, shiftParams, TxConnection, type ReadRider, type WriteRider } from './riders';

let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
  await t.kith.db.query('create table if not exists rider_probe (k text primary key, n int not null)');
});
afterAll(async () => t?.close());

const probe = async (k: string): Promise<number | undefined> =>
  (await t.kith.db.query('select n from rider_probe where k = $1', [k])).rows[0]?.n;

const conn = (store: { queryable: unknown }): TxConnection => {
  if (!(store.queryable instanceof TxConnection)) throw new Error('not in a transaction');
  return store.queryable;
};

describe('statement riders', () => {
  it('shifts a rider statement’s parameters after its host’s', () => {
    expect(shiftParams('insert into x values ($1, $2::text, $10)', 9)).toBe(
      'insert into x values ($10, $11::text, $19)',
    );
  });

  it('runs a write rider with the next version write, reads riders into that write’s result', async () => {
    const result = await t.kith.store.inTransaction(async (tx) => {
      const c = conn(tx);
      await c.ride({ sql: 'insert into rider_probe (k, n) values ($1, $2)', values: ['carried', 1] });
      c.rideWith('Patient', 'rider-1', { name: 'probe-count', sql: 'select 40 + $1::int', values: [2] });
      return tx.update({ resourceType: 'Patient', id: 'rider-1', gender: 'female' } as Resource);
    });
    expect(result.companions?.['probe-count']).toBe(42);
    expect(await probe('carried')).toBe(1);
  });

  it('runs queued riders before any other statement, so a later read in the transaction sees them', async () => {
    const seen = await t.kith.store.inTransaction(async (tx) => {
      await conn(tx).ride({ sql: 'insert into rider_probe (k, n) values ($1, $2)', values: ['seen', 7] });
      return (await tx.queryable.query('select n from rider_probe where k = $1', ['seen'])).rows[0]?.n;
    });
    expect(seen).toBe(7);
  });

  it('runs riders left at the end of the transaction before it commits, and none of a rolled-back one', async () => {
    await t.kith.store.inTransaction(async (tx) => {
      await conn(tx).ride({
        sql: 'insert into rider_probe (k, n) values ($1, $2)',
        values: ['at-commit', 3],
      });
    });
    expect(await probe('at-commit')).toBe(3);
    await expect(
      t.kith.store.inTransaction(async (tx) => {
        await conn(tx).ride({ sql: 'insert into rider_probe (k, n) values ($1, $2)', values: ['rolled', 4] });
        await tx.update({ resourceType: 'Patient', id: 'rider-2' } as Resource);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await probe('rolled')).toBeUndefined();
  });

  it('never puts two riders of one key in one statement (the second must see the first)', async () => {
    await t.kith.store.inTransaction(async (tx) => {
      const c = conn(tx);
      const upsert = (n: number) => ({
        sql: 'insert into rider_probe (k, n) values ($1, $2) on conflict (k) do update set n = rider_probe.n + excluded.n',
        values: ['keyed', n],
        key: 'rider_probe:keyed',
      });
      await c.ride(upsert(1));
      await c.ride(upsert(10));
      await tx.update({ resourceType: 'Patient', id: 'rider-3' } as Resource);
    });
    expect(await probe('keyed')).toBe(11);
  });

  it('writes riders of one many form as one CTE, whatever their number, each row written', async () => {
    const insert = (k: string, n: number): WriteRider => ({
      sql: 'insert into rider_probe (k, n) values ($1, $2)',
      values: [k, n],
      many: {
        sql: 'insert into rider_probe (k, n) select * from unnest($1::text[], $2::int[])',
        values: [k, n],
      },
    });
    const alone = { sql: 'insert into rider_probe (k, n) values ($1, 0)', values: ['alone'] };
    const three = riderCtes([insert('m1', 1), alone, insert('m2', 2), insert('m3', 3)], 4);
    const two = riderCtes([insert('x1', 1), alone, insert('x2', 2)], 4);
    expect(three.ctes).toHaveLength(2);
    expect(three.ctes).toEqual(two.ctes);
    expect(three.ctes[0]).toContain('unnest($5::text[], $6::int[])');
    expect(three.values).toEqual([['m1', 'm2', 'm3'], [1, 2, 3], 'alone']);
    await t.kith.store.inTransaction(async (tx) => {
      for (const [k, n] of [
        ['many-a', 5],
        ['many-b', 6],
      ] as const)
        await conn(tx).ride(insert(k, n));
      await tx.update({ resourceType: 'Patient', id: 'rider-4' } as Resource);
    });
    expect([await probe('many-a'), await probe('many-b')]).toEqual([5, 6]);
  });

  it('reads riders of one many form in one column, each rider its own element', async () => {
    const read = (name: string, n: number): ReadRider => ({
      name,
      sql: 'select $1::int * 10',
      values: [n],
      many: {
        sql: 'select json_agg(v * 10 order by o) from unnest($1::int[]) with ordinality as u(v, o)',
        values: [n],
      },
    });
    const cols = readColumns(
      [[read('a', 1)], [read('b', 2), { name: 'c', sql: 'select $1::int', values: [3] }]],
      0,
    );
    expect(cols.expressions).toHaveLength(2);
    expect(cols.at).toEqual([[{ column: 0, index: 0 }], [{ column: 0, index: 1 }, { column: 1 }]]);
    const results = await t.kith.store.inTransaction(async (tx) => {
      conn(tx).rideWith('Patient', 'rider-5', read('tens', 4));
      conn(tx).rideWith('Patient', 'rider-6', read('tens', 7));
      return tx.updateMany([
        { resource: { resourceType: 'Patient', id: 'rider-5' } as Resource },
        { resource: { resourceType: 'Patient', id: 'rider-6' } as Resource },
      ]);
    });
    expect(results.map((r) => ('error' in r ? r.error : r.companions?.tens))).toEqual([40, 70]);
  });
});
