import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthcareService } from '@medplum/fhirtypes';
import {
  BCP47,
  CS_ELIGIBILITY,
  EXT_ACCEPTS_REFERRALS,
  EXT_ELIGIBLE_AGE,
  distanceKm,
  isOpenAt,
  parseNear,
} from '../../src/referrals';
import type { TestKith } from '../helpers/kith';
import { fhirClient, type FhirClient } from '../helpers/http';
import { startReferralKith } from './setup';

// Places around a made-up county seat (lat 38.58, long -121.49).
const CENTER = { lat: 38.58, lon: -121.49 };
const PLACES = [
  { key: 'downtown', lat: 38.581, lon: -121.494 }, // ~0.4 km
  { key: 'midtown', lat: 38.571, lon: -121.47 }, // ~2 km
  { key: 'suburb', lat: 38.68, lon: -121.35 }, // ~16 km
  { key: 'far', lat: 39.5, lon: -121.49 }, // ~100 km
];

let t: TestKith;
let fhir: FhirClient;
const loc: Record<string, string> = {};
const svc: Record<string, string> = {};

beforeAll(async () => {
  process.env.KITH_TIMEZONE = 'UTC';
  t = await startReferralKith();
  fhir = fhirClient(t.app);
  for (const p of PLACES)
    loc[p.key] = (
      await fhir.create({
        resourceType: 'Location',
        name: p.key,
        position: { latitude: p.lat, longitude: p.lon },
      })
    ).id;
  await fhir.create({ resourceType: 'Location', name: 'nowhere' });
  const service = (key: string, extra: Partial<HealthcareService>): HealthcareService => ({
    resourceType: 'HealthcareService',
    active: true,
    name: key,
    location: [{ reference: `Location/${loc[key]}` }],
    ...extra,
  });
  const food = {
    coding: [
      {
        system: 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes',
        code: 'food-insecurity',
        display: 'Food Insecurity',
      },
    ],
  };
  const housing = {
    coding: [
      {
        system: 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes',
        code: 'housing-instability',
        display: 'Housing Instability',
      },
    ],
  };
  svc.downtown = (
    await fhir.create(
      service('downtown', {
        name: 'Downtown Food Pantry',
        category: [food],
        communication: [{ coding: [{ system: BCP47, code: 'es', display: 'Spanish' }] }],
        availableTime: [
          {
            daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'],
            availableStartTime: '09:00:00',
            availableEndTime: '17:00:00',
          },
        ],
        extension: [
          { url: EXT_ACCEPTS_REFERRALS, valueBoolean: true },
          {
            url: EXT_ELIGIBLE_AGE,
            valueRange: { low: { value: 18, unit: 'years', system: 'http://unitsofmeasure.org', code: 'a' } },
          },
        ],
        eligibility: [{ code: { coding: [{ system: CS_ELIGIBILITY, code: 'age' }], text: 'Adults' } }],
      }),
    )
  ).id;
  svc.midtown = (
    await fhir.create(
      service('midtown', {
        name: 'Midtown Food Bank',
        category: [food],
        comment: 'Groceries every weekday',
        program: [
          { coding: [{ system: 'https://example.org/programs', code: 'calfresh' }], text: 'CalFresh' },
        ],
      }),
    )
  ).id;
  svc.suburb = (await fhir.create(service('suburb', { name: 'Suburb Shelter', category: [housing] }))).id;
  svc.far = (await fhir.create(service('far', { name: 'Far Food Closet', category: [food] }))).id;
});
afterAll(() => t?.close());

describe('Location near (FHIR search)', () => {
  it('finds locations within the distance, in km by default and in miles', async () => {
    const near = `${CENTER.lat}|${CENTER.lon}`;
    expect(new Set(await fhir.ids(`Location?near=${near}|5|km`))).toEqual(
      new Set([loc.downtown, loc.midtown]),
    );
    expect(new Set(await fhir.ids(`Location?near=${near}|20|km`))).toEqual(
      new Set([loc.downtown, loc.midtown, loc.suburb]),
    );
    expect(new Set(await fhir.ids(`Location?near=${near}|70|[mi_i]`))).toEqual(
      new Set([loc.downtown, loc.midtown, loc.suburb, loc.far]),
    );
    expect(await fhir.ids(`Location?near=${near}|1|m`)).toEqual([]);
    // the index follows updates: move "far" downtown
    const far = (await fhir.get(`Location/${loc.far}`)).body;
    await fhir.put(`Location/${loc.far}`, { ...far, position: { latitude: 38.5805, longitude: -121.4905 } });
    expect(await fhir.ids(`Location?near=${near}|1|km&name=far`)).toEqual([loc.far]);
    await fhir.put(`Location/${loc.far}`, far);
  });

  it('refuses a malformed near with an OperationOutcome', async () => {
    const r = await fhir.get('Location?near=100|200|5|km');
    expect(r.status).toBe(400);
    expect(r.body.issue[0].diagnostics).toMatch(/near must be latitude/);
    const u = await fhir.get(`Location?near=${CENTER.lat}|${CENTER.lon}|5|furlong`);
    expect(u.body.issue[0].diagnostics).toMatch(/unit 'furlong'/);
  });

  it('HealthcareService?location.near chains through the service locations', async () => {
    const ids = await fhir.ids(`HealthcareService?location.near=${CENTER.lat}|${CENTER.lon}|5|km`);
    expect(new Set(ids)).toEqual(new Set([svc.downtown, svc.midtown]));
    const food = await fhir.ids(
      `HealthcareService?location.near=${CENTER.lat}|${CENTER.lon}|20|km&service-category=food-insecurity`,
    );
    expect(new Set(food)).toEqual(new Set([svc.downtown, svc.midtown]));
  });

  it('directory search parameters: language, eligibility, accepts-referrals, keyword', async () => {
    expect(await fhir.ids('HealthcareService?language=es')).toEqual([svc.downtown]);
    expect(
      await fhir.ids(`HealthcareService?eligibility=${encodeURIComponent(`${CS_ELIGIBILITY}|age`)}`),
    ).toEqual([svc.downtown]);
    expect(await fhir.ids('HealthcareService?accepts-referrals=true')).toEqual([svc.downtown]);
    expect(new Set(await fhir.ids('HealthcareService?keyword:contains=groceries'))).toEqual(
      new Set([svc.midtown]),
    );
  });
});

describe('$directory-search', () => {
  it('ranks by distance to the nearest location and reports it', async () => {
    const r = await fhir.get(
      `HealthcareService/$directory-search?near=${CENTER.lat}|${CENTER.lon}|50|km&category=food-insecurity`,
    );
    expect(r.status).toBe(200);
    const matches = r.body.entry.filter((e: any) => e.search.mode === 'match');
    expect(matches.map((e: any) => e.resource.id)).toEqual([svc.downtown, svc.midtown]);
    const d = matches.map((e: any) => e.search.extension[0].valueDistance.value);
    expect(d[0]).toBeCloseTo(distanceKm(CENTER.lat, CENTER.lon, 38.581, -121.494), 2);
    expect(d[0]).toBeLessThan(d[1]);
    expect(r.body.total).toBe(2);
    expect(
      r.body.entry.filter((e: any) => e.search.mode === 'include').map((e: any) => e.resource.resourceType),
    ).toEqual(['Location', 'Location']);
  });

  it('filters by words, language, age, program, eligibility, accepting referrals and open now', async () => {
    const ids = async (q: string): Promise<string[]> =>
      (await fhir.get(`HealthcareService/$directory-search?${q}`)).body.entry
        .filter((e: any) => e.search.mode === 'match')
        .map((e: any) => e.resource.id);
    expect(await ids('text=food')).toEqual(expect.arrayContaining([svc.downtown, svc.midtown, svc.far]));
    expect(await ids('text=shelter')).toEqual([svc.suburb]);
    expect(await ids('language=es')).toEqual([svc.downtown]);
    expect(await ids('age=12&category=food-insecurity')).toEqual(expect.not.arrayContaining([svc.downtown]));
    expect(await ids('age=30&accepts-referrals=true')).toEqual([svc.downtown]);
    // Eligibility: the program (code or its text) and the kind of eligibility rule.
    expect(await ids('program=calfresh')).toEqual([svc.midtown]);
    expect(await ids('program=CalFresh&age=12')).toEqual([svc.midtown]);
    expect(await ids(`eligibility=${encodeURIComponent(`${CS_ELIGIBILITY}|age`)}`)).toEqual([svc.downtown]);
    // Wednesday 2026-11-25 10:00 UTC: open; Sunday: closed; Wednesday 18:00: closed.
    expect(await ids('at=2026-11-25T10:00:00Z')).toEqual([svc.downtown]);
    expect(await ids('at=2026-11-29T10:00:00Z')).toEqual([]);
    expect(await ids('at=2026-11-25T18:00:00Z')).toEqual([]);
  });
});

describe('helpers', () => {
  it('isOpenAt reads availableTime on the directory clock, overnight slots and closures', () => {
    const s: HealthcareService = {
      resourceType: 'HealthcareService',
      availableTime: [{ daysOfWeek: ['fri'], availableStartTime: '22:00:00', availableEndTime: '02:00:00' }],
      notAvailable: [
        { description: 'Holiday', during: { start: '2026-12-25T00:00:00Z', end: '2026-12-26T00:00:00Z' } },
      ],
    };
    expect(isOpenAt(s, new Date('2026-11-27T23:00:00Z'), 'UTC')).toBe(true);
    expect(isOpenAt(s, new Date('2026-11-28T01:30:00Z'), 'UTC')).toBe(true); // Saturday early morning
    expect(isOpenAt(s, new Date('2026-11-28T02:30:00Z'), 'UTC')).toBe(false);
    expect(isOpenAt(s, new Date('2026-12-25T23:00:00Z'), 'UTC')).toBe(false); // a Friday, but closed
    expect(isOpenAt(s, new Date('2026-11-27T23:00:00Z'), 'America/Los_Angeles')).toBe(false); // 15:00 there
  });

  it('parseNear: units and defaults', () => {
    expect(parseNear('1|2')).toEqual({ lat: 1, lon: 2, km: 25 });
    expect(parseNear('1|2|3|mi').km).toBeCloseTo(4.828, 3);
  });
});
