import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { fhirClient, outcomeText, type FhirClient } from '../helpers/http';

let t: TestKith;
let api: FhirClient;
beforeAll(async () => {
  t = await startTestKith();
  api = fhirClient(t.app);
});
afterAll(async () => t?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const device = (n: string) => ({
  resourceType: 'Device',
  deviceName: [{ name: n, type: 'user-friendly-name' }],
});

/** Follows `next` links from a history or search URL and returns every entry, page by page. */
async function allPages(url: string): Promise<{ pages: any[][]; total: number }> {
  const pages: any[][] = [];
  let next: string | undefined = url;
  let total = -1;
  while (next) {
    const r = await api.get(next.replace(/^https?:\/\/[^/]+/, ''));
    expect(r.status).toBe(200);
    total = r.body.total;
    pages.push(r.body.entry ?? []);
    next = r.body.link.find((l: any) => l.relation === 'next')?.url;
    if (pages.length > 50) throw new Error('paging did not end');
  }
  return { pages, total };
}

describe('history', () => {
  it('instance history lists every version newest first, with methods, statuses and the deletion', async () => {
    const d = await api.create(device('one'));
    await api.put(`Device/${d.id}`, { ...d, deviceName: [{ name: 'two', type: 'user-friendly-name' }] });
    await api.put(`Device/${d.id}`, { ...d, deviceName: [{ name: 'three', type: 'user-friendly-name' }] });
    await api.delete(`Device/${d.id}`);
    const h = await api.get(`Device/${d.id}/_history`);
    expect(h.status).toBe(200);
    expect(h.body.resourceType).toBe('Bundle');
    expect(h.body.type).toBe('history');
    expect(h.body.total).toBe(4);
    const entries = h.body.entry;
    expect(entries.map((e: any) => e.response.etag)).toEqual(['W/"4"', 'W/"3"', 'W/"2"', 'W/"1"']);
    expect(entries.map((e: any) => e.request.method)).toEqual(['DELETE', 'PUT', 'PUT', 'POST']);
    expect(entries[0].resource).toBeUndefined();
    expect(entries[1].resource.deviceName[0].name).toBe('three');
    expect(entries[3].resource.deviceName[0].name).toBe('one');
    expect(entries[3].request.url).toBe('Device');
    expect(entries[1].request.url).toBe(`Device/${d.id}`);
    expect(entries[3].response.status).toBe('201');
    expect(entries[1].fullUrl).toMatch(new RegExp(`/fhir/Device/${d.id}$`));
    // A deleted resource still has its history; an unknown one has none.
    expect((await api.get('Device/never-was/_history')).status).toBe(404);
  });

  it('type and system history honour _since and page with stable next links', async () => {
    await sleep(5);
    const since = new Date().toISOString();
    await sleep(5);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await api.create(device(`paged-${i}`))).id);
    await api.put(`Device/${ids[0]}`, {
      resourceType: 'Device',
      id: ids[0],
      deviceName: [{ name: 'renamed', type: 'other' }],
    });
    await api.create({ resourceType: 'Substance', code: { text: 'salt' } });

    const typeHist = await api.get(`Device/_history?_since=${encodeURIComponent(since)}`);
    expect(typeHist.body.total).toBe(8);
    expect(typeHist.body.entry.every((e: any) => e.resource.resourceType === 'Device')).toBe(true);
    expect(typeHist.body.entry[0].resource.id).toBe(ids[0]);
    expect(typeHist.body.entry[0].resource.meta.versionId).toBe('2');

    const { pages, total } = await allPages(
      `/fhir/Device/_history?_since=${encodeURIComponent(since)}&_count=3`,
    );
    expect(total).toBe(8);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    const keys = pages.flat().map((e: any) => `${e.resource.id}@${e.resource.meta.versionId}`);
    expect(new Set(keys).size).toBe(8);
    const times = pages.flat().map((e: any) => e.resource.meta.lastUpdated);
    expect([...times].sort().reverse()).toEqual(times);

    const sys = await api.get(`/fhir/_history?_since=${encodeURIComponent(since)}&_count=100`);
    expect(sys.body.total).toBe(9);
    expect(new Set(sys.body.entry.map((e: any) => e.resource.resourceType))).toEqual(
      new Set(['Device', 'Substance']),
    );

    const page2 = await api.get(`/fhir/_history?_since=${encodeURIComponent(since)}&_count=4&_offset=4`);
    const prev = page2.body.link.find((l: any) => l.relation === 'previous');
    expect(prev.url).toContain('_offset=0');
    expect(page2.body.link.find((l: any) => l.relation === 'self')).toBeDefined();

    const countOnly = await api.get(`Device/_history?_since=${encodeURIComponent(since)}&_count=0`);
    expect(countOnly.body.total).toBe(8);
    expect(countOnly.body.entry ?? []).toEqual([]);
    expect(countOnly.body.link.find((l: any) => l.relation === 'next')).toBeUndefined();

    const future = await api.get(
      `Device/_history?_since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(future.body.total).toBe(0);
    expect(future.body.entry ?? []).toEqual([]);
  });

  it('_at returns the versions current at that time', async () => {
    const d = await api.create(device('at-1'));
    await sleep(20);
    const between = new Date().toISOString();
    await sleep(20);
    await api.put(`Device/${d.id}`, { ...d, deviceName: [{ name: 'at-2', type: 'other' }] });
    const atBetween = await api.get(`Device/${d.id}/_history?_at=${encodeURIComponent(between)}`);
    expect(atBetween.body.entry.map((e: any) => e.resource.meta.versionId)).toEqual(['1']);
    const atNow = await api.get(
      `Device/${d.id}/_history?_at=${encodeURIComponent(new Date().toISOString())}`,
    );
    expect(atNow.body.entry.map((e: any) => e.resource.meta.versionId)).toEqual(['2']);
    // A whole year covers both versions.
    const year = new Date().getUTCFullYear();
    const atYear = await api.get(`Device/${d.id}/_history?_at=${year}`);
    expect(atYear.body.total).toBe(2);
  });

  it('refuses a malformed _since or _count with an OperationOutcome naming the parameter', async () => {
    const bad = await api.get('Device/_history?_since=yesterday');
    expect(bad.status).toBe(400);
    expect(outcomeText(bad.body)).toContain('_since');
    const badCount = await api.get('/fhir/_history?_count=lots');
    expect(badCount.status).toBe(400);
    expect(outcomeText(badCount.body)).toContain('_count');
  });
});
