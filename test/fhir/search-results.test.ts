import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { fhirClient, outcomeText, type FhirClient } from '../helpers/http';

let t: TestKith;
let api: FhirClient;

const FAMILIES = ['Nguyen', 'Garcia', 'Okafor', 'Berg', 'Garcia'];
const TAG = 'urn:test|paging';

beforeAll(async () => {
  t = await startTestKith();
  api = fhirClient(t.app);
  for (let i = 0; i < 25; i++) {
    await api.create({
      resourceType: 'Patient',
      meta: { tag: [{ system: 'urn:test', code: 'paging' }] },
      text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">Patient ${i}</div>` },
      name: [{ family: FAMILIES[i % 5], given: [`G${String(i).padStart(2, '0')}`] }],
      gender: i % 2 ? 'male' : 'female',
      birthDate: `19${50 + (i % 7)}-0${1 + (i % 9)}-1${i % 10}`,
      contact: [{ name: { family: 'Contact' } }],
    });
  }
});
afterAll(async () => t?.close());

const pathOf = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');
const link = (body: any, rel: string): string | undefined =>
  body.link?.find((l: any) => l.relation === rel)?.url;

describe('_sort', () => {
  it('sorts by several keys, ascending and descending, with id as the last tie-breaker', async () => {
    const r = await api.get(`Patient?_tag=${TAG}&_sort=family,-birthdate&_count=100`);
    const rows = r.body.entry.map((e: any) => [
      e.resource.name[0].family,
      e.resource.birthDate,
      e.resource.id,
    ]);
    const expected = [...rows].sort(
      (a: string[], b: string[]) =>
        a[0].localeCompare(b[0]) || b[1].localeCompare(a[1]) || (a[2] < b[2] ? -1 : 1),
    );
    expect(rows).toEqual(expected);
    expect(rows[0][0]).toBe('Berg');
    const desc = await api.get(`Patient?_tag=${TAG}&_sort=-given&_count=3`);
    expect(desc.body.entry.map((e: any) => e.resource.name[0].given[0])).toEqual(['G24', 'G23', 'G22']);
    const byId = await api.get(`Patient?_tag=${TAG}&_sort=-_id&_count=100`);
    const idList = byId.body.entry.map((e: any) => e.resource.id);
    expect(idList).toEqual([...idList].sort().reverse());
    const updated = await api.get(`Patient?_tag=${TAG}&_sort=_lastUpdated&_count=100`);
    const times = updated.body.entry.map((e: any) => e.resource.meta.lastUpdated);
    expect(times).toEqual([...times].sort());
    const bad = await api.get('Patient?_sort=shoe-size');
    expect(bad.status).toBe(400);
    expect(outcomeText(bad.body)).toContain('shoe-size');
  });
});

describe('paging', () => {
  it('_count and _offset pages link next/previous, keep the query, and never repeat or skip a match', async () => {
    let url: string | undefined = `/fhir/Patient?_tag=${TAG}&_sort=family&_count=7`;
    const seen: string[] = [];
    const sizes: number[] = [];
    let second: any;
    while (url) {
      const r = await api.get(url);
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(25);
      sizes.push(r.body.entry.length);
      seen.push(...r.body.entry.map((e: any) => e.resource.id));
      if (sizes.length === 2) second = r.body;
      const next = link(r.body, 'next');
      if (next) expect(next).toContain('_sort=family');
      url = next ? pathOf(next) : undefined;
    }
    expect(sizes).toEqual([7, 7, 7, 4]);
    expect(new Set(seen).size).toBe(25);
    const previous = await api.get(pathOf(link(second, 'previous')!));
    expect(previous.body.entry.map((e: any) => e.resource.id)).toEqual(seen.slice(0, 7));
    expect(link(previous.body, 'previous')).toBeUndefined();
    expect(link(second, 'self')).toContain('_offset=7');
    expect(link(second, 'first')).toContain('_offset=0');

    const beyond = await api.get(`Patient?_tag=${TAG}&_count=10&_offset=100`);
    expect(beyond.body.entry).toEqual([]);
    expect(beyond.body.total).toBe(25);
    const bad = await api.get(`Patient?_count=many`);
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0].expression).toEqual(['_count']);
  });
});

describe('_summary, _elements, _total', () => {
  it('_summary=true keeps summary elements; text keeps the narrative; data drops it; count gives only the total', async () => {
    const summary = (await api.get(`Patient?_tag=${TAG}&_count=1&_summary=true`)).body.entry[0].resource;
    expect(summary.name).toBeDefined();
    expect(summary.gender).toBeDefined();
    expect(summary.contact).toBeUndefined();
    expect(summary.text).toBeUndefined();
    expect(summary.meta.tag).toContainEqual(expect.objectContaining({ code: 'SUBSETTED' }));

    const text = (await api.get(`Patient?_tag=${TAG}&_count=1&_summary=text`)).body.entry[0].resource;
    expect(text.text.div).toContain('Patient');
    expect(text.id).toBeDefined();
    expect(text.name).toBeUndefined();

    const data = (await api.get(`Patient?_tag=${TAG}&_count=1&_summary=data`)).body.entry[0].resource;
    expect(data.text).toBeUndefined();
    expect(data.contact).toBeDefined();

    const count = await api.get(`Patient?_tag=${TAG}&_summary=count`);
    expect(count.body.total).toBe(25);
    expect(count.body.entry ?? []).toEqual([]);
    const bad = await api.get('Patient?_summary=maybe');
    expect(bad.status).toBe(400);
  });

  it('_elements keeps the listed elements plus id and meta, marked SUBSETTED', async () => {
    const r = (await api.get(`Patient?_tag=${TAG}&_count=1&_elements=gender,birthDate`)).body.entry[0]
      .resource;
    expect(Object.keys(r).sort()).toEqual(['birthDate', 'gender', 'id', 'meta', 'resourceType']);
    expect(r.meta.tag).toContainEqual(expect.objectContaining({ code: 'SUBSETTED' }));
  });

  it('_total=none leaves the total out; accurate counts beyond the page', async () => {
    const none = await api.get(`Patient?_tag=${TAG}&_count=2&_total=none`);
    expect(none.body.total).toBeUndefined();
    expect(none.body.entry).toHaveLength(2);
    const accurate = await api.get(`Patient?_tag=${TAG}&_count=2&_total=accurate&gender=male`);
    expect(accurate.body.total).toBe(12);
    expect((await api.get('Patient?_total=roughly')).status).toBe(400);
  });
});

describe('POST _search and unknown parameters', () => {
  it('POST _search takes a form body like a query string', async () => {
    const r = await t.inject({
      method: 'POST',
      url: '/fhir/Patient/_search',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/fhir+json' },
      payload: `_tag=${encodeURIComponent(TAG)}&family=garcia&_count=3&_sort=given`,
    });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.total).toBe(10);
    expect(body.entry.map((e: any) => e.resource.name[0].given[0])).toEqual(['G01', 'G04', 'G06']);
    const next = link(body, 'next')!;
    expect(next).toContain('family=garcia');
    const page2 = await api.get(pathOf(next));
    expect(page2.body.entry.map((e: any) => e.resource.name[0].given[0])).toEqual(['G09', 'G11', 'G14']);
  });

  it('ignores unknown parameters with an outcome entry, but refuses them under handling=strict', async () => {
    const lenient = await api.get(`Patient?_tag=${TAG}&shoe-size=44&_count=1`);
    expect(lenient.status).toBe(200);
    expect(lenient.body.total).toBe(25);
    const outcome = lenient.body.entry.find((e: any) => e.search.mode === 'outcome');
    expect(outcome.resource.resourceType).toBe('OperationOutcome');
    expect(outcome.resource.issue[0].diagnostics).toContain('shoe-size');
    const lenient2 = await api.get(`Patient?_tag=${TAG}&shoe-size=44&_count=1`, {
      prefer: 'handling=lenient',
    });
    expect(lenient2.status).toBe(200);
    const empty = await api.get(`Patient?_tag=${TAG}&family=&gender=,&_count=1`, {
      prefer: 'handling=strict',
    });
    expect(empty.status).toBe(200);
    expect(empty.body.total).toBe(25);
    const strict = await api.get(`Patient?_tag=${TAG}&shoe-size=44`, { prefer: 'handling=strict' });
    expect(strict.status).toBe(400);
    expect(outcomeText(strict.body)).toContain('shoe-size');
  });

  it('an invalid modifier or prefix is a 400 OperationOutcome naming the parameter', async () => {
    const mod = await api.get('Patient?gender:contains=ma');
    expect(mod.status).toBe(400);
    expect(outcomeText(mod.body)).toContain("':contains' is not valid on token parameter 'gender'");
    expect(mod.body.issue[0].expression).toEqual(['gender:contains']);
    const prefix = await api.get('Patient?birthdate=zz1950');
    expect(prefix.status).toBe(400);
    expect(outcomeText(prefix.body)).toContain("Parameter 'birthdate'");
    const unknownType = await api.get('Unicorn?name=x');
    expect(unknownType.status).toBe(404);
    expect(outcomeText(unknownType.body)).toContain('Unicorn');
  });
});
