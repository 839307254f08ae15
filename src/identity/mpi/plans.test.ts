import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../../../test/helpers/kith';
import { STORE_MANY_AND_BLOCKS } from './batch';
import { PERSON_REFRESH_SQL, PERSONS_REFRESH_SQL } from './core';
import { CANDIDATE_QUERY } from './db-index';

// Identity statements are prepared; a cached generic plan made while the tables were small must
// still look records and links up by key, never read the whole table on every write.
let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
  await t.kith.db.query(`insert into identity_records (patient_id, person_id, record)
    select 'p' || n, 'q' || (n / 2), '{}'::jsonb from generate_series(1, 3000) n`);
  await t.kith.db.query(`insert into identity_links (patient_id, person_id, assurance, linked_by)
    select 'p' || n, 'q' || (n / 2), 'level3', 'test' from generate_series(1, 3000) n`);
  await t.kith.db.query(`insert into identity_keys (patient_id, key, value)
    select 'p' || n, 'k' || (n % 7), 'v' || (n % 500) from generate_series(1, 3000) n`);
  await t.kith.db.query('vacuum analyze identity_keys');
  await t.kith.db.query('analyze identity_records');
  await t.kith.db.query('analyze identity_links');
});
afterAll(async () => t?.close());

const genericPlan = async (sql: string, types: string[], args: string[]): Promise<string> =>
  t.kith.db.transaction(async (db) => {
    await db.query('set local plan_cache_mode = force_generic_plan');
    await db.query(`prepare kith_t_plan(${types.join(', ')}) as ${sql}`);
    const { rows } = await db.query(`explain execute kith_t_plan(${args.join(', ')})`);
    await db.query('deallocate kith_t_plan');
    return rows.map((r: Record<string, string>) => Object.values(r)[0]).join('\n');
  });

describe('identity statements use the keys of records and links', () => {
  it('candidates: no scan of all records or links', async () => {
    const plan = await genericPlan(
      CANDIDATE_QUERY,
      ['text', 'text[]', 'text[]', 'int', 'int'],
      [`'p1'`, `array['k']`, `array['v']`, '101', '2'],
    );
    expect(plan).toMatch(/identity_records_pkey/);
    expect(plan).not.toMatch(/Seq Scan on identity_(records|links)/);
    // Blocks come from the index alone (no heap row per member); the Person from the record's row.
    expect(plan).toMatch(/Index Only Scan using identity_keys_block/);
    expect(plan).not.toMatch(/identity_links/);
  });

  it('a set of new records and their blocks: no scan of all records or links', async () => {
    const plan = await genericPlan(
      STORE_MANY_AND_BLOCKS,
      ['jsonb', 'jsonb', 'int'],
      [`'[{"p":"x","k":"k","v":"v"}]'`, `'[{"p":"x","r":{},"s":null}]'`, '101'],
    );
    expect(plan).not.toMatch(/Seq Scan on identity_(records|links)/);
  });

  it("a Person's refresh: its links by Person, their records by key", async () => {
    const plan = await genericPlan(PERSON_REFRESH_SQL, ['text'], [`'q1'`]);
    expect(plan).toMatch(/identity_links_person/);
    expect(plan).toMatch(/identity_records_pkey/);
    expect(plan).not.toMatch(/Seq Scan on identity_(records|links)/);
  });

  it("several Persons' refresh: the same keys, for each Person", async () => {
    const plan = await genericPlan(PERSONS_REFRESH_SQL, ['text[]'], [`array['q1', 'q2']`]);
    expect(plan).toMatch(/identity_links_person/);
    expect(plan).toMatch(/identity_records_pkey/);
    expect(plan).not.toMatch(/Seq Scan on identity_(records|links)/);
  });
});
