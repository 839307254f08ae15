import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo, generateDemoCounty, type Bundle } from './index';
import { startTestKith, type TestKith } from '../../test/helpers/kith';

describe('loadDemo', () => {
  it('posts every bundle once, in order, directory first, and reports progress', async () => {
    const posted: Bundle[] = [];
    const progress: [number, number][] = [];
    const result = await loadDemo(
      async (b) => {
        posted.push(b);
      },
      { people: 30, peoplePerBundle: 10, onBundle: (done, total) => progress.push([done, total]) },
    );
    expect(posted.map((b) => b.id)).toEqual([
      'kith-demo-directory',
      'kith-demo-people-01',
      'kith-demo-people-02',
      'kith-demo-people-03',
    ]);
    expect(progress).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    expect(result.bundles).toBe(4);
    expect(result.resources).toBe(posted.reduce((n, b) => n + b.entry.length, 0));
    expect(JSON.stringify(posted)).toBe(
      JSON.stringify(generateDemoCounty({ people: 30, peoplePerBundle: 10 }).bundles),
    );
  });

  it('stops at the first bundle the server refuses and passes the error on', async () => {
    let calls = 0;
    const failing = loadDemo(
      async () => {
        calls++;
        if (calls === 2) throw new Error('422 from the server');
      },
      { people: 30, peoplePerBundle: 10 },
    );
    await expect(failing).rejects.toThrow('422 from the server');
    expect(calls).toBe(2);
  });
});

describe('loading the demo into Kith', () => {
  let t: TestKith;
  beforeAll(async () => {
    t = await startTestKith();
  });
  afterAll(async () => t?.close());

  const post = async (bundle: Bundle) => {
    const res = await t.inject({
      method: 'POST',
      url: '/fhir',
      headers: { 'content-type': 'application/fhir+json' },
      payload: JSON.stringify(bundle),
    });
    if (res.statusCode !== 200) throw new Error(`${bundle.id}: ${res.statusCode} ${res.body.slice(0, 1000)}`);
    return JSON.parse(res.body);
  };
  const total = async (query: string) => {
    const res = await t.inject({
      method: 'GET',
      url: `/fhir/${query}${query.includes('?') ? '&' : '?'}_summary=count`,
    });
    return JSON.parse(res.body).total as number;
  };

  it('is accepted by the server (which validates every write), and loading it twice duplicates nothing', async () => {
    const first = await loadDemo(post, { people: 6 });
    const patients = first.county.summary.sourceRecords;
    expect(await total('Patient')).toBe(patients);
    expect(await total('Organization')).toBe(12);
    await loadDemo(post, { people: 6 });
    expect(await total('Patient')).toBe(patients);
    expect(await total('Task')).toBe(first.county.summary.byType.Task ?? 0);
    const bh = await t.inject({ method: 'GET', url: '/fhir/Organization/alder-bh' });
    expect(JSON.parse(bh.body).extension).toContainEqual({
      url: 'https://kith.example.org/fhir/StructureDefinition/part2-program',
      valueBoolean: true,
    });
  }, 180_000);
});
