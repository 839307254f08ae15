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

describe('refreshStatistics', () => {
  it('analyzes tables loaded since their last ANALYZE, and nothing once they are fresh', async () => {
    const patients = Array.from(
      { length: 300 },
      (_, i) => ({ resourceType: 'Patient', id: `stats-${i}`, name: [{ family: `Stat${i}` }] }) as Patient,
    );
    await t.kith.store.createMany(patients);
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
