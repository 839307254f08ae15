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

const SYS = 'urn:test:tx';
const bundle = (type: 'transaction' | 'batch', entry: unknown[]) => ({ resourceType: 'Bundle', type, entry });
const patient = (mrn: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Patient',
  identifier: [{ system: SYS, value: mrn }],
  name: [{ family: `Tx${mrn}` }],
  ...extra,
});
const post = (resource: any, fullUrl?: string, ifNoneExist?: string) => ({
  ...(fullUrl ? { fullUrl } : {}),
  resource,
  request: { method: 'POST', url: resource.resourceType, ...(ifNoneExist ? { ifNoneExist } : {}) },
});
const obs = (subject: string, code = 'x') => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'urn:codes', code }] },
  subject: { reference: subject },
});
const idOf = (location: string) => location.split('/')[1];

describe('transaction', () => {
  it('rewrites urn:uuid references across entries, wherever they are, and answers in request order', async () => {
    const pUrl = 'urn:uuid:11111111-1111-4111-8111-111111111111';
    const eUrl = 'urn:uuid:22222222-2222-4222-8222-222222222222';
    const r = await api.post(
      '/fhir',
      bundle('transaction', [
        post({ ...obs(pUrl), encounter: { reference: eUrl } }),
        post(
          {
            resourceType: 'Encounter',
            status: 'finished',
            class: { code: 'AMB' },
            subject: { reference: pUrl },
            extension: [{ url: 'urn:ext', valueReference: { reference: pUrl } }],
          },
          eUrl,
        ),
        post(patient('r1'), pUrl),
      ]),
    );
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('transaction-response');
    const [o, e, p] = r.body.entry.map((x: any) => x.response);
    expect([o.status, e.status, p.status]).toEqual(['201', '201', '201']);
    expect(p.location).toMatch(/^Patient\/[^/]+\/_history\/1$/);
    expect(p.etag).toBe('W/"1"');
    const pid = idOf(p.location);
    const observation = (await api.get(`Observation/${idOf(o.location)}`)).body;
    expect(observation.subject.reference).toBe(`Patient/${pid}`);
    expect(observation.encounter.reference).toBe(`Encounter/${idOf(e.location)}`);
    const encounter = (await api.get(`Encounter/${idOf(e.location)}`)).body;
    expect(encounter.extension[0].valueReference.reference).toBe(`Patient/${pid}`);
    expect(await api.ids(`Observation?subject=Patient/${pid}`)).toEqual([idOf(o.location)]);
  });

  it('is all or nothing: one failing entry leaves nothing stored and names the entry', async () => {
    const keep = await api.create(patient('keep'));
    const r = await api.post(
      '/fhir',
      bundle('transaction', [
        post(patient('a1'), 'urn:uuid:a1'),
        post(obs('urn:uuid:a1')),
        { request: { method: 'DELETE', url: `Patient/${keep.id}` } },
        post(patient('a2', { gender: 'banana' })),
      ]),
    );
    expect(r.status).toBe(422);
    expect(outcomeText(r.body)).toContain('Bundle.entry[3]');
    expect(r.body.issue[0].expression).toEqual(['Patient.gender']);
    expect(await api.ids(`Patient?identifier=${SYS}|a1`)).toEqual([]);
    expect(await api.ids('Observation?code=x&_count=100')).toHaveLength(1);
    expect((await api.get(`Patient/${keep.id}`)).status).toBe(200);

    const stale = await api.post(
      '/fhir',
      bundle('transaction', [
        post(patient('a3')),
        {
          resource: { ...keep, gender: 'other' },
          request: { method: 'PUT', url: `Patient/${keep.id}`, ifMatch: 'W/"7"' },
        },
      ]),
    );
    expect(stale.status).toBe(412);
    expect(outcomeText(stale.body)).toContain('Bundle.entry[1]');
    expect(await api.ids(`Patient?identifier=${SYS}|a3`)).toEqual([]);
    const dangling = await api.post('/fhir', bundle('transaction', [post(obs('urn:uuid:nobody'))]));
    expect(dangling.status).toBe(404);
    expect(outcomeText(dangling.body)).toContain('urn:uuid:nobody');
  });

  it('resolves conditional references and ifNoneExist, also against creates in the same Bundle', async () => {
    const existing = await api.create(patient('c1'));
    const r = await api.post(
      '/fhir',
      bundle('transaction', [
        post(obs(`Patient?identifier=${SYS}|c1`)),
        post(patient('c1'), 'urn:uuid:c1', `identifier=${SYS}|c1`),
        post(obs('urn:uuid:c1', 'y')),
        post(
          { resourceType: 'Organization', identifier: [{ system: SYS, value: 'org1' }], name: 'Org' },
          'urn:uuid:org1',
          `identifier=${SYS}|org1`,
        ),
        post(
          { ...patient('c2'), managingOrganization: { reference: `Organization?identifier=${SYS}|org1` } },
          'urn:uuid:c2',
        ),
      ]),
    );
    expect(r.status).toBe(200);
    const statuses = r.body.entry.map((e: any) => e.response.status);
    expect(statuses).toEqual(['201', '200', '201', '201', '201']);
    expect(idOf(r.body.entry[1].response.location)).toBe(existing.id);
    const o1 = (await api.get(r.body.entry[0].response.location.replace(/\/_history.*/, ''))).body;
    expect(o1.subject.reference).toBe(`Patient/${existing.id}`);
    const o2 = (await api.get(r.body.entry[2].response.location.replace(/\/_history.*/, ''))).body;
    expect(o2.subject.reference).toBe(`Patient/${existing.id}`);
    const c2 = (await api.get(r.body.entry[4].response.location.replace(/\/_history.*/, ''))).body;
    expect(c2.managingOrganization.reference).toBe(`Organization/${idOf(r.body.entry[3].response.location)}`);
    expect(await api.ids(`Patient?identifier=${SYS}|c1`)).toEqual([existing.id]);

    const none = await api.post(
      '/fhir',
      bundle('transaction', [post(obs(`Patient?identifier=${SYS}|nobody`))]),
    );
    expect(none.status).toBe(404);
    expect(outcomeText(none.body)).toContain('matched 0 resources');
    await api.create(patient('twin'));
    await api.create(patient('twin'));
    const many = await api.post(
      '/fhir',
      bundle('transaction', [post(obs(`Patient?identifier=${SYS}|twin`))]),
    );
    expect(many.status).toBe(412);
  });

  it('runs DELETE, POST, PUT, PATCH and GET entries in the FHIR processing order', async () => {
    const doomed = await api.create(patient('del'));
    const edited = await api.create(patient('put'));
    const patched = await api.create(patient('patch'));
    const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/gender', value: 'female' }])).toString(
      'base64',
    );
    const r = await api.post(
      '/fhir',
      bundle('transaction', [
        { request: { method: 'GET', url: `Patient?identifier=${SYS}|new` } },
        { request: { method: 'GET', url: `Patient/${edited.id}` } },
        {
          resource: { ...edited, gender: 'male' },
          request: { method: 'PUT', url: `Patient/${edited.id}`, ifMatch: 'W/"1"' },
        },
        {
          resource: { ...patient('own'), id: 'tx-own-id' },
          request: { method: 'PUT', url: 'Patient/tx-own-id' },
        },
        {
          fullUrl: 'urn:uuid:cond-put',
          resource: patient('cond-put'),
          request: { method: 'PUT', url: `Patient?identifier=${SYS}|cond-put` },
        },
        post(obs('urn:uuid:cond-put', 'cond')),
        {
          resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: patch },
          request: { method: 'PATCH', url: `Patient/${patched.id}` },
        },
        post(patient('new')),
        { request: { method: 'DELETE', url: `Patient/${doomed.id}` } },
        { request: { method: 'DELETE', url: `Patient?identifier=${SYS}|nobody-here` } },
      ]),
    );
    expect(r.status).toBe(200);
    const res = r.body.entry.map((e: any) => e.response.status);
    expect(res).toEqual(['200', '200', '200', '201', '201', '201', '200', '201', '204', '204']);
    expect(r.body.entry[0].resource.total).toBe(1);
    expect(r.body.entry[1].resource.gender).toBe('male');
    expect((await api.get(`Patient/${doomed.id}`)).status).toBe(410);
    expect((await api.get('Patient/tx-own-id')).body.meta.versionId).toBe('1');
    expect((await api.get(`Patient/${patched.id}`)).body.gender).toBe('female');
    const condPut = await api.ids(`Patient?identifier=${SYS}|cond-put`);
    expect(condPut).toHaveLength(1);
    expect(await api.ids(`Observation?code=cond&subject=Patient/${condPut[0]}`)).toHaveLength(1);
  });

  it('conditional updates referenced by fullUrl: create, update the one match, repeated criteria', async () => {
    const put = (resource: any, criteria: string, fullUrl: string) => ({
      fullUrl,
      resource,
      request: { method: 'PUT', url: `${resource.resourceType}?${criteria}` },
    });
    const send = (entries: unknown[]) => api.post('/fhir', bundle('transaction', entries));
    // No match: created under the id the references were rewritten to.
    const first = await send([
      put(patient('rp1'), `identifier=${SYS}|rp1`, 'urn:uuid:rp1'),
      put(
        { ...obs('urn:uuid:rp1', 'rp'), identifier: [{ system: SYS, value: 'o-rp1' }] },
        `identifier=${SYS}|o-rp1`,
        'urn:uuid:o-rp1',
      ),
    ]);
    expect(first.status).toBe(200);
    expect(first.body.entry.map((e: any) => e.response.status)).toEqual(['201', '201']);
    const [pid] = await api.ids(`Patient?identifier=${SYS}|rp1`);
    expect(idOf(first.body.entry[0].response.location)).toBe(pid);
    expect(await api.ids(`Observation?code=rp&subject=Patient/${pid}`)).toHaveLength(1);
    // One match: that resource is updated (a new version), and the same content again changes nothing.
    const changed = await send([
      put(patient('rp1', { gender: 'female' }), `identifier=${SYS}|rp1`, 'urn:uuid:rp1'),
    ]);
    expect(changed.body.entry[0].response.location).toBe(`Patient/${pid}/_history/2`);
    const again = await send([
      put(patient('rp1', { gender: 'female' }), `identifier=${SYS}|rp1`, 'urn:uuid:x'),
    ]);
    expect(again.body.entry[0].response.location).toBe(`Patient/${pid}/_history/2`);
    // A body naming another id than the match is refused.
    const wrongId = await send([
      put({ ...patient('rp1'), id: 'not-it' }, `identifier=${SYS}|rp1`, 'urn:uuid:w'),
    ]);
    expect(wrongId.status).toBe(400);
    // The same criteria twice in one Bundle: the second finds what the first created under another
    // id than its own entry was given, so the Bundle is refused whole; never two resources.
    const twice = await send([
      put(patient('rp2'), `identifier=${SYS}|rp2`, 'urn:uuid:rp2a'),
      put(patient('rp2', { gender: 'male' }), `identifier=${SYS}|rp2`, 'urn:uuid:rp2b'),
    ]);
    expect(twice.status).toBe(400);
    expect(await api.ids(`Patient?identifier=${SYS}|rp2`)).toHaveLength(0);
    // A create in the Bundle that the conditional update's criteria match: refused the same way.
    const withPost = await send([
      post(patient('rp3'), 'urn:uuid:rp3-post'),
      put(patient('rp3', { gender: 'male' }), `identifier=${SYS}|rp3`, 'urn:uuid:rp3'),
    ]);
    expect(withPost.status).toBe(400);
    expect(await api.ids(`Patient?identifier=${SYS}|rp3`)).toHaveLength(0);
  });

  it('returns the stored resources with Prefer: return=representation', async () => {
    const r = await api.post('/fhir', bundle('transaction', [post(patient('rep'))]), {
      prefer: 'return=representation',
    });
    expect(r.body.entry[0].resource.resourceType).toBe('Patient');
    expect(r.body.entry[0].resource.meta.versionId).toBe('1');
    expect(r.body.entry[0].fullUrl).toMatch(/\/fhir\/Patient\//);
  });
});

describe('batch', () => {
  it('processes each entry on its own and reports per-entry errors', async () => {
    const r = await api.post(
      '/fhir',
      bundle('batch', [
        post(patient('b1')),
        post(patient('b2', { birthDate: 'last year' })),
        { request: { method: 'GET', url: 'Patient/not-there' } },
        post(patient('b3')),
        { request: { method: 'GET', url: `Patient?identifier=${SYS}|b1` } },
      ]),
    );
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('batch-response');
    expect(r.body.entry.map((e: any) => e.response.status)).toEqual(['201', '400', '404', '201', '200']);
    const err = r.body.entry[1].response.outcome;
    expect(err.resourceType).toBe('OperationOutcome');
    expect(err.issue[0].expression).toEqual(['Patient.birthDate']);
    expect(r.body.entry[2].response.outcome.issue[0].diagnostics).toContain('Patient/not-there');
    expect(await api.ids(`Patient?identifier=${SYS}|b1`)).toHaveLength(1);
    expect(await api.ids(`Patient?identifier=${SYS}|b3`)).toHaveLength(1);
    expect(r.body.entry[4].resource.total).toBe(1);
  });

  it('refuses what is not a transaction or batch Bundle', async () => {
    const notBundle = await api.post('/fhir', patient('x'));
    expect(notBundle.status).toBe(400);
    expect(notBundle.body.issue[0].expression).toEqual(['Bundle.resourceType']);
    const wrongType = await api.post('/fhir', { resourceType: 'Bundle', type: 'collection', entry: [] });
    expect(wrongType.status).toBe(422);
    expect(outcomeText(wrongType.body)).toContain("not 'collection'");
    const noRequest = await api.post('/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: patient('x') }],
    });
    expect(noRequest.status).toBe(422);
    expect(noRequest.body.issue[0].expression).toEqual(['Bundle.entry[0].request']);
  });
});
