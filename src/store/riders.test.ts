import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import { startTestKith, type TestKith } from '../../test/helpers/kith';
import { shiftParams, TxConnection } from './riders';

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
});
