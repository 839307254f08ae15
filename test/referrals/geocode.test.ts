import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import {
  CS_GEOCODE_PRECISION,
  EXT_GEOCODE,
  distanceKm,
  parseAddress,
  parseLatLong,
} from '../../src/referrals';
import type { TestKith } from '../helpers/kith';
import { fhirClient, type FhirClient } from '../helpers/http';
import { startReferralKith } from './setup';

// A made-up county: Alder (ZIP 95501) with three places, and Orick (95555) 60 km north that has a
// "300 Harbor Way" too.
const PLACES = [
  { key: 'depot', line: '300 Harbor Way', city: 'Alder', zip: '95501', lat: 40.8021, lon: -124.1637 },
  { key: 'hall', line: '18 Church Street', city: 'Alder', zip: '95501', lat: 40.7762, lon: -124.1823 },
  { key: 'main', line: '12 N. Main St., Suite 4', city: 'Alder', zip: '95501', lat: 40.79, lon: -124.15 },
  { key: 'orick', line: '300 Harbor Way', city: 'Orick', zip: '95555', lat: 41.29, lon: -124.06 },
];

let t: TestKith;
let fhir: FhirClient;
const loc: Record<string, string> = {};
const svc: Record<string, string> = {};

// A stand-in for the Census Geocoder on this machine (tests never call it over the internet): it
// answers `locations/onelineaddress` in the Census response format, and records what it was asked.
let census: Server;
let censusUrl = '';
const asked: URL[] = [];
let censusMode: 'match' | 'none' | 'down' = 'match';
const CENSUS_POINT = { x: -124.16, y: 40.81 }; // ~1 km from the depot

beforeAll(async () => {
  census = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://census.test');
    asked.push(url);
    if (censusMode === 'down') {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: ['Internal error'], status: '500' }));
      return;
    }
    const address = url.searchParams.get('address') ?? '';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        result: {
          input: {
            address: { address },
            benchmark: { id: '4', benchmarkName: url.searchParams.get('benchmark'), isDefault: true },
          },
          addressMatches:
            censusMode === 'none'
              ? []
              : [
                  {
                    tigerLine: { side: 'L', tigerLineId: '123' },
                    coordinates: CENSUS_POINT,
                    addressComponents: { zip: '95501', city: 'ALDER', state: 'CA', streetName: 'ELM' },
                    matchedAddress: '401 ELM ST, ALDER, CA, 95501',
                  },
                ],
        },
      }),
    );
  });
  await new Promise<void>((r) => census.listen(0, '127.0.0.1', r));
  censusUrl = `http://127.0.0.1:${(census.address() as AddressInfo).port}/geocoder`;

  t = await startReferralKith();
  fhir = fhirClient(t.app);
  for (const p of PLACES) {
    loc[p.key] = (
      await fhir.create({
        resourceType: 'Location',
        name: p.key,
        address: { line: [p.line], city: p.city, state: 'CA', postalCode: p.zip },
        position: { latitude: p.lat, longitude: p.lon },
      })
    ).id;
    svc[p.key] = (
      await fhir.create({
        resourceType: 'HealthcareService',
        active: true,
        name: `Service at ${p.key}`,
        location: [{ reference: `Location/${loc[p.key]}` }],
      })
    ).id;
  }
  // A Location without a position is no help in locating anything.
  await fhir.create({
    resourceType: 'Location',
    name: 'no position',
    address: { line: ['5 Pine St'], city: 'Alder', postalCode: '95501' },
  });
});
afterAll(async () => {
  await t?.close();
  await new Promise((r) => census?.close(r));
});
afterEach(() => {
  delete process.env.KITH_GEOCODER_URL;
  censusMode = 'match';
});

interface Search {
  ids: string[];
  outcome: OperationOutcome;
  geocode: Record<string, unknown>;
}

async function search(address: string, extra = ''): Promise<Search> {
  const r = await fhir.get(
    `HealthcareService/$directory-search?address=${encodeURIComponent(address)}&distance=5&unit=km${extra}`,
  );
  expect(r.status).toBe(200);
  const bundle = r.body as Bundle;
  const entries = bundle.entry ?? [];
  const outcome = entries.find((e) => e.search?.mode === 'outcome')?.resource as OperationOutcome;
  expect(outcome?.resourceType).toBe('OperationOutcome');
  const geocode = Object.fromEntries(
    (outcome.extension?.find((e) => e.url === EXT_GEOCODE)?.extension ?? []).map((e) => [
      e.url,
      e.valueCode ?? e.valueDecimal ?? e.valueString,
    ]),
  );
  return {
    ids: entries.filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id as string),
    outcome,
    geocode,
  };
}

describe('parseAddress', () => {
  it('splits street, city, state and ZIP code, with or without commas', () => {
    expect(parseAddress('300 Harbor Way, Alder, CA 95501-1234')).toMatchObject({
      number: '300',
      lines: ['300 HARBOR WAY'],
      city: 'ALDER',
      state: 'CA',
      zip: '95501',
    });
    const loose = parseAddress('12 North Main Street Alder 95501');
    expect(loose.number).toBe('12');
    expect(loose.lines).toContain('12 N MAIN ST');
    expect(loose.zip).toBe('95501');
    expect(parseAddress('95501')).toMatchObject({ number: '', lines: [], zip: '95501' });
    expect(parseAddress('Alder, CA')).toMatchObject({ number: '', city: 'ALDER', state: 'CA' });
  });

  it('reads coordinate pairs only when they are coordinates', () => {
    expect(parseLatLong('40.8, -124.16')).toEqual({ lat: 40.8, lon: -124.16 });
    expect(parseLatLong('95501 12')).toBeUndefined();
    expect(parseLatLong('140.8, -124.16')).toBeUndefined();
  });
});

describe('$directory-search address: the directory geocoder (offline)', () => {
  it('locates a street address a Location has, at address precision, narrowed by city and ZIP code', async () => {
    const r = await search('300 Harbor Way, Alder, CA 95501');
    expect(r.geocode).toMatchObject({
      precision: 'address',
      source: 'directory',
      latitude: 40.8021,
      longitude: -124.1637,
      matched: '300 HARBOR WAY, ALDER, CA 95501',
    });
    expect(r.outcome.issue[0].details?.coding?.[0]).toEqual({
      system: CS_GEOCODE_PRECISION,
      code: 'address',
    });
    expect(r.ids[0]).toBe(svc.depot); // nearest first: the depot itself
    expect(r.ids).not.toContain(svc.orick);
    // the same street in Orick is the other place
    const orick = await search('300 harbor way orick 95555');
    expect(orick.geocode).toMatchObject({ precision: 'address', latitude: 41.29, longitude: -124.06 });
    expect(orick.ids).toEqual([svc.orick]);
  });

  it('standardizes both sides as identity matching does (abbreviations, directionals, units)', async () => {
    const r = await search('12 North Main Street, Alder');
    expect(r.geocode).toMatchObject({ precision: 'address', latitude: 40.79, longitude: -124.15 });
    expect(r.ids[0]).toBe(svc.main);
    const church = await search('18 church st apt 2, alder, ca');
    expect(church.geocode).toMatchObject({ precision: 'address', latitude: 40.7762 });
  });

  it('falls back to the middle of the ZIP code when no Location has the street address, and says so', async () => {
    const r = await search('401 Elm St, Alder, CA 95501');
    const alder = PLACES.filter((p) => p.zip === '95501');
    expect(r.geocode.precision).toBe('zip');
    expect(r.geocode.source).toBe('directory');
    expect(r.geocode.matched).toBe('ZIP code 95501');
    expect(r.geocode.latitude).toBeCloseTo(alder.reduce((s, p) => s + p.lat, 0) / alder.length, 9);
    expect(r.geocode.longitude).toBeCloseTo(alder.reduce((s, p) => s + p.lon, 0) / alder.length, 9);
    expect(r.outcome.issue[0].diagnostics).toMatch(/located at zip precision/);
    expect(new Set(r.ids)).toEqual(new Set([svc.depot, svc.hall, svc.main]));
    // a bare ZIP code is a ZIP code; a city alone is the middle of the city
    expect((await search('95555')).geocode).toMatchObject({ precision: 'zip', latitude: 41.29 });
    expect((await search('Orick, CA')).geocode).toMatchObject({ precision: 'city', latitude: 41.29 });
    // coordinates are used as typed
    expect((await search('40.8, -124.16')).geocode).toMatchObject({ precision: 'point', source: 'input' });
  });

  it('an address in two places with nothing to tell them apart is not guessed', async () => {
    const r = await search('300 Harbor Way');
    expect(r.geocode).toEqual({});
    expect(r.outcome.issue[0]).toMatchObject({ severity: 'warning', code: 'not-found' });
    expect(r.ids).toEqual([]);
  });

  it('follows Location writes: a moved address, and a deleted Location', async () => {
    const created = await fhir.create({
      resourceType: 'Location',
      name: 'temporary',
      address: { line: ['77 Bay Road'], city: 'Alder', postalCode: '95501' },
      position: { latitude: 40.81, longitude: -124.17 },
    });
    expect((await search('77 Bay Rd, Alder 95501')).geocode).toMatchObject({
      precision: 'address',
      latitude: 40.81,
    });
    await fhir.put(`Location/${created.id}`, {
      ...created,
      address: { line: ['79 Bay Road'], city: 'Alder', postalCode: '95501' },
    });
    expect((await search('77 Bay Rd, Alder 95501')).geocode.precision).toBe('zip');
    expect((await search('79 Bay Rd, Alder 95501')).geocode.precision).toBe('address');
    expect((await fhir.delete(`Location/${created.id}`)).status).toBeLessThan(300);
    expect((await search('79 Bay Rd, Alder 95501')).geocode.precision).toBe('zip');
  });
});

describe('$directory-search address: the Census Geocoder adapter (KITH_GEOCODER_URL)', () => {
  it('is asked for street addresses the directory does not have, in the Census request format', async () => {
    process.env.KITH_GEOCODER_URL = censusUrl;
    asked.length = 0;
    const r = await search('401 Elm St, Alder, CA 95501');
    expect(r.geocode).toMatchObject({
      precision: 'address',
      source: 'census',
      latitude: CENSUS_POINT.y,
      longitude: CENSUS_POINT.x,
      matched: '401 ELM ST, ALDER, CA, 95501',
    });
    expect(asked).toHaveLength(1);
    expect(asked[0].pathname).toBe('/geocoder/locations/onelineaddress');
    expect(asked[0].searchParams.get('address')).toBe('401 Elm St, Alder, CA 95501');
    expect(asked[0].searchParams.get('benchmark')).toBe('Public_AR_Current');
    expect(asked[0].searchParams.get('format')).toBe('json');
    // ranked from the Census point: the depot is nearest
    const depot = PLACES[0];
    expect(distanceKm(CENSUS_POINT.y, CENSUS_POINT.x, depot.lat, depot.lon)).toBeLessThan(1.5);
    expect(r.ids[0]).toBe(svc.depot);
  });

  it('is not asked when the directory knows the address, nor for a bare ZIP code', async () => {
    process.env.KITH_GEOCODER_URL = censusUrl;
    asked.length = 0;
    expect((await search('300 Harbor Way, Alder, CA 95501')).geocode.source).toBe('directory');
    expect((await search('95501')).geocode.precision).toBe('zip');
    expect(asked).toHaveLength(0);
  });

  it('no match, or the service down: falls back to the ZIP code, and a down service is reported', async () => {
    process.env.KITH_GEOCODER_URL = censusUrl;
    censusMode = 'none';
    const none = await search('401 Elm St, Alder, CA 95501');
    expect(none.geocode).toMatchObject({ precision: 'zip', source: 'directory' });
    expect(none.outcome.issue).toHaveLength(1);
    censusMode = 'down';
    const down = await search('401 Elm St, Alder, CA 95501');
    expect(down.geocode).toMatchObject({ precision: 'zip', source: 'directory' });
    expect(down.outcome.issue[1]).toMatchObject({ severity: 'warning', code: 'transient' });
    expect(down.outcome.issue[1].diagnostics).toMatch(
      /census: the Census Geocoder answered 500: Internal error/,
    );
  });
});
