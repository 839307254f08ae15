import type { Bundle, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FHIR_HEADERS, startTestKith, type TestKith } from '../../../test/helpers/kith';
import type { PairScore } from '../score/model';
import { tfAdjustment } from '../score/term-frequency';
import type { FieldName } from '../types';
import { identityContext } from './install';
import { MATCH_EVIDENCE_URL } from './match-operation';
import { TermFrequencyCache } from './term-frequencies';

let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
}, 400_000);
afterAll(async () => t?.close());

const GIVEN =
  'Ana Bea Carla Dora Elsa Fina Gala Hilda Ines Juana Karla Lola Mara Nora Olga Paula Rita Sara Tina Vera'
    .split(' ')
    .concat('Adan Beto Ciro Dario Efren Fidel Gil Hugo Ivan Jaime'.split(' '));
const RARE = 'Zambrano Oyelaran Quezada Achterberg Villaseñor Kowalczyk Ibarguen Nakamura Whitfield Esterhazy'
  .split(' ')
  .concat(
    'Brandvold Castellanos Drummond Elizondo Fairweather Gorostiza Halvorsen Iturbide Jablonski Kettering'.split(
      ' ',
    ),
  )
  .concat(
    'Lindqvist Montenegro Nwachukwu Ostrowski Pemberton Quintanilla Rasmussen Szabo Thibodeaux Urquhart'.split(
      ' ',
    ),
  );

const patient = (given: string, family: string, birthDate: string): Patient => ({
  resourceType: 'Patient',
  name: [{ family, given: [given] }],
  gender: 'female',
  birthDate,
});

/** $match for `query`: the evidence of the candidate with id `id`. */
async function evidenceFor(query: Patient, id: string): Promise<PairScore> {
  const res = await t.inject({
    method: 'POST',
    url: '/fhir/Patient/$match',
    headers: FHIR_HEADERS,
    payload: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: query }] },
  });
  expect(res.statusCode, res.body).toBe(200);
  const entry = (res.json() as Bundle<Patient>).entry?.find((e) => e.resource?.id === id);
  expect(entry, `Patient/${id} among the candidates`).toBeDefined();
  return JSON.parse(
    entry!.search!.extension!.find((e) => e.url === MATCH_EVIDENCE_URL)!.valueString!,
  ) as PairScore;
}

describe('online term-frequency weights', () => {
  it('weighs agreement on a common surname less than on a rare one, from the stored value counts', async () => {
    // 30 Garcias and 30 people with surnames nobody else has, born on different days.
    for (let i = 0; i < 30; i++) {
      await t.kith.store.create(patient(GIVEN[i], 'Garcia', `19${50 + i}-0${1 + (i % 9)}-1${i % 10}`));
      await t.kith.store.create(patient(GIVEN[i], RARE[i], `19${50 + i}-1${i % 3}-2${i % 9}`));
    }
    const garcia = await t.kith.store.create(patient('Luisa', 'Garcia', '1988-06-15'));
    const rare = await t.kith.store.create(patient('Luisa', 'Yxtabay', '1988-06-15'));

    const ctx = identityContext(t.kith.store);
    expect(ctx.termFrequencies, 'the installed matcher reads stored counts').toBeDefined();
    await ctx.counts!.flush();
    await ctx.termFrequencies!.refresh();

    // The same query but for the surname: both candidates agree exactly on every field they have.
    const common = await evidenceFor(patient('Luisa', 'Garcia', '1988-06-15'), garcia.resource.id!);
    const unusual = await evidenceFor(patient('Luisa', 'Yxtabay', '1988-06-15'), rare.resource.id!);
    const family = (e: PairScore) => e.fields.find((f) => f.field === 'family')!;
    expect(family(common).level).toBe('exact');
    expect(family(unusual).level).toBe('exact');
    expect(family(common).tfAdjustment).toBeLessThan(0);
    expect(family(unusual).tfAdjustment).toBeGreaterThan(0);
    expect(family(common).weight).toBeLessThan(family(unusual).weight);
    expect(common.score).toBeLessThan(unusual.score);
    // Everything but the surname weighs the same.
    const others = (e: PairScore) => e.fields.filter((f) => f.field !== 'family').map((f) => f.weight);
    expect(others(common)).toEqual(others(unusual));
  }, 300_000);

  it('gives every value, cached or not, the adjustment its full counts give', async () => {
    // A field no Patient write counts ('state' has no term-frequency level), so these rows are alone.
    const field = 'state' as FieldName;
    const counts = new Map<string, number>([
      ['v-common', 500],
      ['v-often', 100],
    ]);
    for (let i = 0; i < 8; i++) counts.set(`v-some-${i}`, 20);
    for (let i = 0; i < 190; i++) counts.set(`v-rare-${i}`, 1 + (i % 3));
    await t.kith.db.pool.query(
      `insert into identity_value_counts (field, value_key, n) select $1, v, n from unnest($2::text[], $3::int[]) as t(v, n)`,
      [field, [...counts.keys()], [...counts.values()]],
    );
    const cache = new TermFrequencyCache(t.kith.db.pool, 5);
    await cache.refresh();
    const n = [...counts.values()].reduce((a, b) => a + b, 0);
    const sumSquares = [...counts.values()].reduce((a, c) => a + (c / n) ** 2, 0);
    const expected = (c: number) => tfAdjustment(c / n, sumSquares, 5);
    for (const [value, c] of counts) expect(cache.lookup(field, value), value).toBeCloseTo(expected(c), 9);
    // A value no record holds yet weighs as one held once (the record being matched holds it).
    expect(cache.lookup(field, 'v-new')).toBeCloseTo(expected(1), 9);
    expect(cache.lookup(field, 'v-common')).toBeLessThan(0);
    expect(cache.lookup(field, 'v-rare-0')).toBe(5);
  });
});
