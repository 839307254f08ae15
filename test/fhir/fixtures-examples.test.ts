import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { fhirClient, type FhirClient } from '../helpers/http';
import { fixturesAvailable, fixturesDir } from '../helpers/fixtures';

const FOLDERS = ['fhir-r4-examples', 'gravity-sdoh-clinicalcare'];
const available = FOLDERS.every((f) => fixturesAvailable(f));
const examples = available
  ? FOLDERS.flatMap((folder) =>
      readdirSync(path.join(fixturesDir(), folder))
        .filter((f) => f.endsWith('.json'))
        .map((f) => ({ name: `${folder}/${f}`, file: path.join(fixturesDir(), folder, f) })),
    )
  : [];

let t: TestKith;
let api: FhirClient;
beforeAll(async () => {
  if (!available) return;
  t = await startTestKith();
  api = fhirClient(t.app);
});
afterAll(async () => t?.close());

const withoutMeta = ({ meta: _meta, ...rest }: any) => rest;
const labeledByKith = (label: any): boolean =>
  (label.extension ?? []).some((e: any) =>
    String(e.valueReference?.identifier?.system ?? '').endsWith('/segmentation-rule'),
  );

describe.skipIf(!available)('official R4 and SDOH Clinical Care examples create and read back', () => {
  it.each(examples)('$name', async ({ file }) => {
    const resource = JSON.parse(readFileSync(file, 'utf8'));
    expect(resource.id, 'every example carries its id').toBeTruthy();
    const put = await api.put(`${resource.resourceType}/${resource.id}`, resource);
    expect(put.status, put.text.slice(0, 800)).toBe(201);
    const read = await api.get(`${resource.resourceType}/${resource.id}`);
    expect(read.status).toBe(200);
    expect(withoutMeta(read.body)).toEqual(withoutMeta(resource));
    // What the example carried in meta (profiles, tags, labels) is kept; the server adds version and
    // time, and the labels its segmentation rules give (each names its rule, e.g. R on a Subscription).
    const { security, ...meta } = read.body.meta;
    const ownLabels = (security ?? []).filter((s: any) => !labeledByKith(s));
    expect({ ...meta, ...(ownLabels.length ? { security: ownLabels } : {}) }).toEqual({
      ...resource.meta,
      versionId: '1',
      lastUpdated: read.body.meta.lastUpdated,
    });
    const again = await api.put(`${resource.resourceType}/${resource.id}`, resource);
    expect(again.status).toBe(200);
  });

  it('the examples are searchable by their own references', async () => {
    // Gravity: the referral Task points at its ServiceRequest through focus.
    const tasks = await api.get('Task?focus:missing=false&_include=Task:focus&_count=100');
    expect(tasks.status).toBe(200);
    const included = tasks.body.entry.filter((e: any) => e.search.mode === 'include');
    expect(included.map((e: any) => e.resource.resourceType)).toContain('ServiceRequest');
  });
});
