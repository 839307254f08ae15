import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthcareService, Location, Organization } from '@medplum/fhirtypes';
import { importHsdsPath, pullHsdsApi, scheduleHsdsPull } from '../../src/referrals';
import { JobQueue } from '../../src/notify';
import { fixturesAvailable, fixturesDir } from '../helpers/fixtures';
import type { TestKith } from '../helpers/kith';
import { fhirClient } from '../helpers/http';
import { startReferralKith, waitFor } from './setup';

const HSDS = 'openreferral-hsds3';
const has = fixturesAvailable(HSDS);
const dir = (): string => path.join(fixturesDir(), HSDS);
const SYS = 'https://kith.example.org/hsds/';

/** Ids per HSDS object found in a JSON document, counted here independently of the importer. */
function jsonIds(doc: unknown, file: string): Record<string, Set<string>> {
  const out: Record<string, Set<string>> = {
    organization: new Set(),
    service: new Set(),
    location: new Set(),
    service_area: new Set(),
  };
  const KEY: Record<string, string> = {
    organization: 'organization',
    organizations: 'organization',
    service: 'service',
    services: 'service',
    location: 'location',
    locations: 'location',
    service_areas: 'service_area',
  };
  const visit = (v: unknown, as?: string): void => {
    if (Array.isArray(v)) return v.forEach((x) => visit(x, as));
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (as && typeof o.id === 'string') out[as].add(o.id);
    for (const [k, x] of Object.entries(o)) if (x && typeof x === 'object') visit(x, KEY[k]);
  };
  const top = /^(organization|service|location)(_full|_list)?\.json$/.exec(path.basename(file))?.[1];
  const d = doc as Record<string, unknown>;
  if (top) visit(Array.isArray(d.contents) ? d.contents : d, top);
  else if (
    path.basename(file) === 'service_at_location_full.json' ||
    path.basename(file) === 'service_at_location_list.json'
  )
    visit(Array.isArray(d.contents) ? d.contents : d);
  else if (path.basename(file) === 'tabular.json') {
    for (const [k, as] of [
      ['organizations.csv', 'organization'],
      ['services.csv', 'service'],
      ['locations.csv', 'location'],
      ['service_areas.csv', 'service_area'],
    ])
      for (const r of (d[k] as { id: string }[]) ?? []) out[as].add(r.id);
  }
  return out;
}

let t: TestKith;
beforeAll(async () => {
  t = await startReferralKith();
});
afterAll(() => t?.close());

async function byIdentifier<T>(type: string, object: string, id: string): Promise<T[]> {
  const r = await fhirClient(t.app).get(`${type}?identifier=${encodeURIComponent(`${SYS}${object}|${id}`)}`);
  return (r.body.entry ?? []).map((e: any) => e.resource);
}

describe.skipIf(!has)('HSDS 3.0 import of every fixture file', () => {
  it('each JSON file: the objects it holds become resources with their HSDS ids, once', async () => {
    const files = readdirSync(path.join(dir(), 'json')).filter((f) => f.endsWith('.json'));
    expect(files.length).toBe(13);
    for (const f of files) {
      const file = path.join(dir(), 'json', f);
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      const summary = await importHsdsPath(t.kith.store, file);
      expect(summary.errors, f).toEqual([]);
      const ids = jsonIds(doc, file);
      const expected = ids.organization.size + ids.service.size + ids.location.size + ids.service_area.size;
      const written =
        summary.resources.Organization + summary.resources.HealthcareService + summary.resources.Location;
      expect(written, `${f}: resources written`).toBe(expected);
      if (f === 'base.json')
        expect(summary.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/API root/)]);
      for (const [object, type] of [
        ['organization', 'Organization'],
        ['service', 'HealthcareService'],
        ['location', 'Location'],
        ['service_area', 'Location'],
      ] as const)
        for (const id of ids[object])
          expect(await byIdentifier(type, object, id), `${f} ${object} ${id}`).toHaveLength(1);
    }
  });

  it('the CSV datapackage: counts and fields as in the files', async () => {
    const csv = (name: string): Record<string, string>[] =>
      parse(readFileSync(path.join(dir(), 'csv', `${name}.csv`)), { columns: true, bom: true });
    const summary = await importHsdsPath(t.kith.store, path.join(dir(), 'csv'));
    expect(summary.errors).toEqual([]);
    expect(summary.resources).toEqual({
      Organization: csv('organizations').length,
      HealthcareService: csv('services').length,
      Location: csv('locations').length + csv('service_areas').length,
    });
    const s = csv('services')[0];
    const [svc] = await byIdentifier<HealthcareService>('HealthcareService', 'service', s.id);
    expect(svc.name).toBe(s.name);
    expect(svc.comment).toBe(s.description.trim());
    expect(svc.active).toBe(s.status === 'active');
    const org = csv('organizations')[0];
    const [o] = await byIdentifier<Organization>('Organization', 'organization', org.id);
    expect(svc.providedBy?.reference).toBe(`Organization/${o.id}`);
    expect(o.name).toBe(org.name);
    expect(o.alias).toEqual([org.alternate_name]);
    const ident = csv('organization_identifiers')[0];
    expect(o.identifier).toContainEqual(expect.objectContaining({ value: ident.identifier }));
    // phones
    const phone = csv('phones')[0];
    expect(svc.telecom).toContainEqual({
      system: 'phone',
      use: 'work',
      value: `${phone.number.replace(/"/g, '')} ext. ${phone.extension}`,
    });
    // schedule → availableTime
    const sch = csv('schedules')[0];
    const days = sch.byday
      .split(',')
      .map((d) => ({ MO: 'mon', TU: 'tue', WE: 'wed', TH: 'thu', FR: 'fri', SA: 'sat', SU: 'sun' })[d]);
    expect(svc.availableTime).toEqual([
      { daysOfWeek: days, availableStartTime: sch.opens_at, availableEndTime: sch.closes_at },
    ]);
    // languages → communication
    const lang = csv('languages')[0];
    expect(svc.communication?.[0].coding?.[0]).toMatchObject({
      system: 'urn:ietf:bcp:47',
      code: lang.code,
      display: lang.name,
    });
    // eligibility, ages, program
    expect(svc.eligibility?.[0].comment).toBe(s.eligibility_description);
    expect(svc.extension?.[0].valueRange).toMatchObject({
      low: { value: Number(s.minimum_age) },
      high: { value: Number(s.maximum_age) },
    });
    expect(svc.program?.[0].text).toBe(csv('programs')[0].name);
    // service_at_location → location, service areas → coverageArea
    const loc = csv('locations')[0];
    const [l] = await byIdentifier<Location>('Location', 'location', loc.id);
    expect(svc.location).toEqual([{ reference: `Location/${l.id}` }]);
    expect(svc.identifier).toContainEqual(
      expect.objectContaining({
        system: `${SYS}service_at_location`,
        value: csv('service_at_location')[0].id,
      }),
    );
    const area = csv('service_areas')[0];
    const [a] = await byIdentifier<Location>('Location', 'service_area', area.id);
    expect(svc.coverageArea).toEqual([{ reference: `Location/${a.id}` }]);
    expect(a.physicalType?.coding?.[0].code).toBe('area');
    // the location: address; the fixture's latitude 100 is off the Earth, so no position, and a warning
    const addr = csv('addresses')[0];
    expect(l.name).toBe(loc.name);
    expect(l.address).toMatchObject({
      line: [addr.address_1, addr.address_2],
      city: addr.city,
      postalCode: addr.postal_code,
      country: addr.country,
    });
    expect(Number(loc.latitude)).toBeGreaterThan(90);
    expect(l.position).toBeUndefined();
    expect(summary.warnings.join('\n')).toMatch(/latitude 100/);
    // the attribute links to an id that is not in the package: reported, not applied
    expect(summary.warnings.join('\n')).toMatch(/attribute .* not in this data/);
  });

  it('re-import updates in place: the same data again writes no new version', async () => {
    const again = await importHsdsPath(t.kith.store, path.join(dir(), 'csv'));
    expect(again.created).toBe(0);
    expect(again.updated).toBe(0);
    expect(again.unchanged).toBe(
      again.resources.Organization + again.resources.Location + again.resources.HealthcareService,
    );
  });

  it('the whole fixture folder (JSON and CSV) imports without errors and leaves one of each object', async () => {
    const summary = await importHsdsPath(t.kith.store, dir());
    expect(summary.errors).toEqual([]);
    expect(summary.skipped.filter((s) => /schema/.test(s.reason)).length).toBe(
      readdirSync(path.join(dir(), 'schema')).length,
    );
    const count = async (type: string) => (await fhirClient(t.app).get(`${type}?_summary=count`)).body.total;
    expect(await count('Organization')).toBe(1);
    expect(await count('HealthcareService')).toBe(1);
    expect(await count('Location')).toBe(2);
  });
});

describe.skipIf(!has)('scheduled pull from an HSDS API', () => {
  it('pulls every page and each full service, through the durable job queue', async () => {
    const full = JSON.parse(readFileSync(path.join(dir(), 'json', 'service_full.json'), 'utf8'));
    const list = JSON.parse(readFileSync(path.join(dir(), 'json', 'service_list.json'), 'utf8'));
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      const page = Number(new URL(req.url ?? '', 'http://x').searchParams.get('page') ?? 1);
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/services?'))
        res.end(
          JSON.stringify({
            ...list,
            page_number: page,
            total_pages: 2,
            last_page: page === 2,
            contents: page === 1 ? list.contents : [],
          }),
        );
      else if (req.url === `/services/${full.id}`)
        res.end(JSON.stringify({ ...full, name: 'Community Counselling (pulled)' }));
      else res.writeHead(404).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const direct = await pullHsdsApi(t.kith.store, url);
    expect(direct.errors).toEqual([]);
    expect(seen).toContain(`/services/${full.id}`);
    const jobs = new JobQueue(t.kith.db, { pollMs: 50 });
    let runs = 0;
    await scheduleHsdsPull(jobs, t.kith.store, url, 60, () => runs++);
    jobs.start();
    await waitFor(() => runs >= 1 || undefined);
    await jobs.stop();
    const { rows } = await t.kith.db.query(
      `select run_at > now() + interval '50 minutes' as later from kith_jobs where key = $1`,
      [`hsds-pull:${url}`],
    );
    expect(rows[0].later).toBe(true);
    const [svc] = await byIdentifier<HealthcareService>('HealthcareService', 'service', full.id);
    expect(svc.name).toBe('Community Counselling (pulled)');
    server.close();
  });
});
