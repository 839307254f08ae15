import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { fhirClient, type FhirClient } from '../helpers/http';
import { fixturesAvailable, fixturesDir } from '../helpers/fixtures';

const available = fixturesAvailable('synthea-r4');
const dir = path.join(fixturesDir(), 'synthea-r4');
const files = available ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];

let t: TestKith;
let api: FhirClient;
beforeAll(async () => {
  if (!available) return;
  t = await startTestKith();
  api = fhirClient(t.app);
});
afterAll(async () => t?.close());

/** Makes any Bundle a transaction: type set, a POST request on each entry that has none. */
function asTransaction(bundle: any): any {
  return {
    ...bundle,
    type: 'transaction',
    entry: (bundle.entry ?? []).map((e: any) => ({
      ...e,
      request: e.request ?? { method: 'POST', url: e.resource.resourceType },
    })),
  };
}

/** A deep copy with every `reference` passed through `map`, and without id and meta. */
function normalize(resource: any, map: (ref: string) => string): any {
  const walk = (node: any): any => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: any = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === 'reference' && typeof v === 'string' ? map(v) : walk(v);
    }
    return out;
  };
  const { id: _id, meta: _meta, ...rest } = walk(resource);
  return rest;
}

describe.skipIf(!available)('Synthea bundles post as transactions and read back as sent', () => {
  let resources = 0;

  it.each(files)('%s', async (file) => {
    const bundle = asTransaction(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    const r = await api.post('/fhir', bundle);
    expect(r.status, r.text.slice(0, 500)).toBe(200);
    expect(r.body.entry).toHaveLength(bundle.entry.length);

    // fullUrl -> Type/id as stored, from the response locations (same order as the request).
    const assigned = new Map<string, string>();
    const byType = new Map<string, Map<string, any>>(); // type -> id -> resource as sent
    bundle.entry.forEach((e: any, i: number) => {
      const response = r.body.entry[i].response;
      expect(response.status, `entry ${i}`).toBe('201');
      const [type, id] = response.location.split('/');
      if (e.fullUrl) assigned.set(e.fullUrl, `${type}/${id}`);
      if (!byType.has(type)) byType.set(type, new Map());
      byType.get(type)!.set(id, e.resource);
    });
    const rewrite = (ref: string): string => {
      expect(assigned.has(ref) || !ref.startsWith('urn:'), `unresolved ${ref}`).toBe(true);
      return assigned.get(ref) ?? ref;
    };
    for (const [type, sent] of byType) {
      // Every resource of the type, in one search by _id; then one plain read per type.
      const found = await t.inject({
        method: 'POST',
        url: `/fhir/${type}/_search`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `_id=${[...sent.keys()].join(',')}&_count=1000`,
      });
      const stored = found.json().entry.map((e: any) => e.resource);
      expect(stored).toHaveLength(sent.size);
      for (const resource of stored) {
        expect(resource.meta.versionId).toBe('1');
        // Every urn:uuid the resource held now points at the stored resource of that entry.
        expect(
          normalize(resource, (x) => x),
          `${type}/${resource.id}`,
        ).toEqual(normalize(sent.get(resource.id), rewrite));
        resources++;
      }
      const [firstId] = sent.keys();
      const read = await api.get(`${type}/${firstId}`);
      expect(read.status).toBe(200);
      expect(normalize(read.body, (x) => x)).toEqual(normalize(sent.get(firstId), rewrite));
    }
  });

  it('the stored references are searchable', async () => {
    expect(resources).toBeGreaterThan(2000);
    const patients = await api.get('Patient?_summary=count');
    expect(patients.body.total).toBe(files.length);
    const one = await api.get('Patient?_count=1&_revinclude=Encounter:subject');
    expect(one.body.entry.filter((e: any) => e.search.mode === 'include').length).toBeGreaterThan(0);
  });
});
