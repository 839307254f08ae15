import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { FHIR_HEADERS, startTestKith, type TestKith } from '../../../test/helpers/kith';
import { prefixUpperBound } from './conditions';

let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
  for (const family of ['Garcia', 'Garcías', 'Garcj', 'Garc', 'Gárcia-López', 'Ortiz'])
    await t.kith.store.create({ resourceType: 'Patient', name: [{ family }] } as Patient);
});
afterAll(async () => t?.close());

const families = async (q: string): Promise<string[]> => {
  const res = await t.inject({ method: 'GET', url: `/fhir/Patient?${q}&_count=50`, headers: FHIR_HEADERS });
  expect(res.statusCode).toBe(200);
  return ((res.json() as Bundle).entry ?? [])
    .map((e) => (e.resource as Patient).name?.[0]?.family as string)
    .sort();
};

describe('string search by prefix', () => {
  it('bounds a prefix by its last character incremented', () => {
    expect(prefixUpperBound('garci')).toBe('garcj');
    expect(prefixUpperBound('')).toBeUndefined();
    expect(prefixUpperBound('a\ud83d')).toBeUndefined();
  });

  it('matches exactly the values that start with the prefix, accents and case aside', async () => {
    expect(await families('family=garci')).toEqual(['Garcia', 'Garcías', 'Gárcia-López'].sort());
    expect(await families('family=GARC')).toEqual(
      ['Garc', 'Garcia', 'Garcías', 'Garcj', 'Gárcia-López'].sort(),
    );
    expect(await families('family=garcj')).toEqual(['Garcj']);
    expect(await families('family:contains=arc')).toHaveLength(5);
  });

  it('gives a generic (prepared) plan index bounds on the value; like alone would read every value', async () => {
    // One connection: prepared statements and the setting belong to it.
    await t.kith.db.transaction(async (db) => {
      const genericPlan = async (name: string, condition: string): Promise<string> => {
        await db.query(
          `prepare ${name}(text, text, text, text, text) as select id from sp_string
             where resource_type = $1 and code = $2 and ${condition}`,
        );
        const { rows } = await db.query(
          `explain execute ${name}('Patient', 'family', 'garci', 'garcj', 'garci%')`,
        );
        await db.query(`deallocate ${name}`);
        return rows.map((r: Record<string, string>) => Object.values(r)[0]).join('\n');
      };
      await db.query('set local plan_cache_mode = force_generic_plan');
      const ranged = await genericPlan('kith_t_ranged', 'value >= $3 and value < $4 and value like $5');
      expect(ranged).toMatch(/Index Cond: .*value >= \$3.*value < \$4/);
      const likeOnly = await genericPlan('kith_t_like', '$3 = $3 and $4 = $4 and value like $5');
      expect(likeOnly).toMatch(/Index Cond: /);
      expect(likeOnly).not.toMatch(/Index Cond: [^\n]*value/);
    });
  });
});
