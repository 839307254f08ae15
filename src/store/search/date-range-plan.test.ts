import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../../../test/helpers/kith';
import { dateCondition } from './conditions';
import { SqlParams } from './params';

// A date equals search (`birthdate=1984-03-12`) must read the index over the searched day only:
// with the stored range's low end unbounded above, the scan read every row from that day on.
let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
  // 5,000 birth dates, one every third day, never analyzed (as a fresh server's tables are).
  await t.kith.db.query(`insert into sp_date (resource_type, id, code, low, high)
    select 'Patient', 'p' || n, 'birthdate', d, d + interval '1 day'
    from (select n, timestamptz '1950-01-01T00:00:00Z' + (n * 3) * interval '1 day' as d
          from generate_series(1, 5000) n) s`);
});
afterAll(async () => t?.close());

describe('date equals search', () => {
  it('bounds the index range on both ends of the searched day', async () => {
    const p = new SqlParams();
    const day = new Date(Date.UTC(1950, 0, 1) + 3 * 4000 * 86_400_000).toISOString().slice(0, 10);
    const cond = dateCondition('low', 'high', day, p);
    const sql = `select id from sp_date where resource_type = 'Patient' and code = 'birthdate' and ${cond}`;
    const { rows } = await t.kith.db.query(`explain (analyze, format json) ${sql}`, p.values);
    const plan = JSON.stringify(rows[0]['QUERY PLAN']);
    const found = await t.kith.db.query(sql, p.values);
    // The day itself matches (its range lies within the day) and nothing else does.
    expect(found.rows.map((r) => r.id)).toEqual(['p4000']);
    // Rows read and thrown away by a filter: a handful, not the thousands after (or before) the day.
    const removed = [...plan.matchAll(/"Rows Removed by (?:Filter|Index Recheck)":(\d+)/g)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    expect(removed, plan).toBeLessThan(50);
  });
});
