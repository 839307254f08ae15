import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from '@medplum/fhirtypes';
import { startTestKith, type TestKith } from '../../../test/helpers/kith';
import { refreshStatistics } from './statistics';

let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
});
afterAll(async () => t?.close());

/** Whether the planner has column statistics for the table. */
async function hasStats(table: string): Promise<boolean> {
  const { rows } = await t.kith.db.query(
    'select 1 from pg_stats where schemaname = current_schema() and tablename = $1 limit 1',
    [table],
  );
  return rows.length > 0;
}

/**
 * Waits (up to 5 s) until PostgreSQL's activity counters show every row the table holds as inserted: each pooled
 * connection reports its counts on its own schedule (at most once a second), and counts reported
 * after an ANALYZE would make the table look changed since it. PGlite may never report them.
 */
async function waitForCounts(table: 'fhir_resources' | 'sp_string'): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const { rows } = await t.kith.db.query<{ n: boolean | null }>(
      `select (select n_tup_ins from pg_stat_user_tables
               where schemaname = current_schema() and relname = $1) >= (select count(*) from ${table}) as n`,
      [table],
    );
    if (rows[0]?.n === true) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('refreshStatistics', () => {
  it('analyzes tables loaded since their last ANALYZE, and nothing once they are fresh', async () => {
    const patients = Array.from(
      { length: 300 },
      (_, i) => ({ resourceType: 'Patient', id: `stats-${i}`, name: [{ family: `Stat${i}` }] }) as Patient,
    );
    await t.kith.store.createMany(patients);
    await waitForCounts('fhir_resources');
    await waitForCounts('sp_string');
    const analyzed = await refreshStatistics(t.kith.db);
    expect(analyzed.some((n) => n.endsWith('.fhir_resources'))).toBe(true);
    expect(analyzed.some((n) => n.endsWith('.sp_string'))).toBe(true);
    expect(await hasStats('fhir_resources')).toBe(true);
    expect(await hasStats('sp_string')).toBe(true);
    // Fresh now: a second call analyzes none of them.
    const again = await refreshStatistics(t.kith.db);
    expect(again.filter((n) => n.endsWith('.fhir_resources') || n.endsWith('.sp_string'))).toEqual([]);
  });
});
