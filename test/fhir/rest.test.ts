import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { buildApp } from '../../src/server/app';
import { fhirClient, outcomeText, type FhirClient } from '../helpers/http';

let t: TestKith;
let api: FhirClient;
beforeAll(async () => {
  t = await startTestKith();
  api = fhirClient(t.app);
});
afterAll(async () => t?.close());

const patient = (family: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Patient',
  name: [{ family, given: ['Ann'] }],
  gender: 'female',
  birthDate: '1980-05-06',
  ...extra,
});

describe('read, vread, create, update', () => {
  it('creates with a server id, a Location with the version and an ETag', async () => {
    const r = await api.post('Patient', { ...patient('Create'), id: 'client-chosen' });
    expect(r.status).toBe(201);
    expect(r.body.id).not.toBe('client-chosen');
    expect(r.body.meta.versionId).toBe('1');
    expect(Date.parse(r.body.meta.lastUpdated)).toBeGreaterThan(Date.now() - 60_000);
    expect(r.headers.location).toMatch(new RegExp(`/fhir/Patient/${r.body.id}/_history/1$`));
    expect(r.headers.etag).toBe('W/"1"');
    expect(r.headers['last-modified']).toBe(new Date(r.body.meta.lastUpdated).toUTCString());

    const read = await api.get(`Patient/${r.body.id}`);
    expect(read.status).toBe(200);
    expect(read.headers['content-type']).toContain('application/fhir+json');
    expect(read.body).toEqual(r.body);
  });

  it('updates to a new version, keeps the old one for vread, and creates on update with a client id', async () => {
    const created = await api.create(patient('Versions'));
    const upd = await api.put(`Patient/${created.id}`, { ...created, gender: 'other' });
    expect(upd.status).toBe(200);
    expect(upd.body.meta.versionId).toBe('2');
    expect(upd.headers.location).toMatch(/_history\/2$/);
    expect((await api.get(`Patient/${created.id}/_history/1`)).body.gender).toBe('female');
    expect((await api.get(`Patient/${created.id}/_history/2`)).body.gender).toBe('other');
    expect((await api.get(`Patient/${created.id}/_history/3`)).status).toBe(404);
    expect((await api.get(`Patient/${created.id}/_history/x`)).status).toBe(404);

    const put = await api.put('Patient/my-own-id', { ...patient('Own'), id: 'my-own-id' });
    expect(put.status).toBe(201);
    expect(put.body.meta.versionId).toBe('1');
    expect(put.headers.location).toMatch(/\/fhir\/Patient\/my-own-id\/_history\/1$/);
    expect((await api.get('Patient/my-own-id')).body.name[0].family).toBe('Own');
  });

  it('refuses an update whose id differs from the URL, or has none', async () => {
    const mismatch = await api.put('Patient/aaa', { ...patient('X'), id: 'bbb' });
    expect(mismatch.status).toBe(400);
    expect(outcomeText(mismatch.body)).toContain("does not match the URL id 'aaa'");
    const none = await api.put('Patient/aaa', patient('X'));
    expect(none.status).toBe(400);
    expect(mismatch.body.issue[0].expression).toEqual(['Resource.id']);
  });

  it('answers 404 for an unknown id or type, and 410 Gone after delete', async () => {
    const missing = await api.get('Patient/does-not-exist');
    expect(missing.status).toBe(404);
    expect(outcomeText(missing.body)).toContain('Patient/does-not-exist');
    const badType = await api.get('Patientx/1');
    expect(badType.status).toBe(404);
    expect(outcomeText(badType.body)).toContain("'Patientx' is not a supported resource type");

    const p = await api.create(patient('Gone'));
    const del = await api.delete(`Patient/${p.id}`);
    expect(del.status).toBe(204);
    const gone = await api.get(`Patient/${p.id}`);
    expect(gone.status).toBe(410);
    expect(gone.body.issue[0].code).toBe('deleted');
    expect((await api.get(`Patient/${p.id}/_history/1`)).status).toBe(200);
    expect((await api.get(`Patient/${p.id}/_history/2`)).status).toBe(410);
    expect(await api.ids(`Patient?_id=${p.id}`)).toEqual([]);
    // Deleting again is harmless; an update brings it back as a new version.
    expect((await api.delete(`Patient/${p.id}`)).status).toBe(204);
    const back = await api.put(`Patient/${p.id}`, { ...patient('Back'), id: p.id });
    expect(back.status).toBe(201);
    expect(back.body.meta.versionId).toBe('3');
  });
});

describe('links', () => {
  it('Location and fullUrl use KITH_BASE_URL plus /fhir when set, else the request host', async () => {
    const app = await buildApp({
      ...t.kith,
      config: { ...t.kith.config, baseUrl: 'https://kith.example.org/' },
    });
    try {
      const r = await fhirClient(app, { token: t.token }).post('Patient', patient('Based'));
      expect(r.headers.location).toMatch(/^https:\/\/kith\.example\.org\/fhir\/Patient\/[^/]+\/_history\/1$/);
      const s = await fhirClient(app, { token: t.token }).get(`Patient?_id=${r.body.id}`);
      expect(s.body.entry[0].fullUrl).toBe(`https://kith.example.org/fhir/Patient/${r.body.id}`);
    } finally {
      await app.close();
    }
    const local = await api.post('Patient', patient('Local'), { host: 'example.test:8080' });
    expect(local.headers.location).toMatch(/^http:\/\/example\.test:8080\/fhir\/Patient\//);
  });
});

describe('ETag, If-Match, If-None-Match, Prefer', () => {
  it('412 on a stale If-Match for update, patch and delete; 304 on a matching If-None-Match', async () => {
    const p = await api.create(patient('Locking'));
    const v2 = await api.put(`Patient/${p.id}`, { ...p, gender: 'male' }, { 'if-match': 'W/"1"' });
    expect(v2.status).toBe(200);
    const stale = await api.put(`Patient/${p.id}`, { ...p, gender: 'other' }, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(outcomeText(stale.body)).toContain('is at version 2, not 1');
    const stalePatch = await api.patch(
      `Patient/${p.id}`,
      [{ op: 'replace', path: '/gender', value: 'other' }],
      {
        'content-type': 'application/json-patch+json',
        'if-match': 'W/"1"',
      },
    );
    expect(stalePatch.status).toBe(412);
    expect((await api.delete(`Patient/${p.id}`, { 'if-match': 'W/"1"' })).status).toBe(412);
    expect((await api.get(`Patient/${p.id}`)).body.gender).toBe('male');
    const badEtag = await api.put(`Patient/${p.id}`, p, { 'if-match': 'yesterday' });
    expect(badEtag.status).toBe(422);
    expect(outcomeText(badEtag.body)).toContain("If-Match 'yesterday'");

    expect((await api.get(`Patient/${p.id}`, { 'if-none-match': 'W/"2"' })).status).toBe(304);
    expect((await api.get(`Patient/${p.id}`, { 'if-none-match': 'W/"1"' })).status).toBe(200);
    expect((await api.delete(`Patient/${p.id}`, { 'if-match': 'W/"2"' })).status).toBe(204);
  });

  it('lets exactly one of several concurrent updates with the same If-Match win', async () => {
    const p = await api.create(patient('Race'));
    const results = await Promise.all(
      ['male', 'other', 'unknown', 'female'].map((gender, i) =>
        api.put(`Patient/${p.id}`, { ...p, gender, birthDate: `200${i}-01-01` }, { 'if-match': 'W/"1"' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412, 412]);
    const history = await api.get(`Patient/${p.id}/_history`);
    expect(history.body.total).toBe(2);
  });

  it('honours Prefer: return=minimal, representation and OperationOutcome', async () => {
    const minimal = await api.post('Patient', patient('Minimal'), { prefer: 'return=minimal' });
    expect(minimal.status).toBe(201);
    expect(minimal.text).toBe('');
    expect(minimal.headers.location).toMatch(/\/fhir\/Patient\/[^/]+\/_history\/1$/);
    const rep = await api.post('Patient', patient('Rep'), { prefer: 'return=representation' });
    expect(rep.body.resourceType).toBe('Patient');
    const oo = await api.post('Patient', patient('Outcome'), { prefer: 'return=OperationOutcome' });
    expect(oo.status).toBe(201);
    expect(oo.body.resourceType).toBe('OperationOutcome');
    expect(oo.body.issue[0].severity).toBe('information');
    const id = /Patient\/([^/]+)\/_history/.exec(String(minimal.headers.location))![1];
    const upd = await api.put(`Patient/${id}`, { ...patient('Minimal2'), id }, { prefer: 'return=minimal' });
    expect(upd.status).toBe(200);
    expect(upd.text).toBe('');
    expect(upd.headers.etag).toBe('W/"2"');
  });
});

describe('conditional create, update and delete', () => {
  const sys = 'urn:test:mrn';
  const withMrn = (family: string, mrn: string) =>
    patient(family, { identifier: [{ system: sys, value: mrn }] });

  it('If-None-Exist: creates on no match, returns the match on one, 412 on several', async () => {
    const first = await api.post('Patient', withMrn('Cond', 'c-1'), {
      'if-none-exist': `identifier=${sys}|c-1`,
    });
    expect(first.status).toBe(201);
    const again = await api.post('Patient', withMrn('Cond', 'c-1'), {
      'if-none-exist': `identifier=${sys}|c-1`,
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.meta.versionId).toBe('1');
    expect(await api.ids(`Patient?identifier=${sys}|c-1`)).toEqual([first.body.id]);

    await api.create(withMrn('Twin', 'c-2'));
    await api.create(withMrn('Twin', 'c-2'));
    const many = await api.post('Patient', withMrn('Twin', 'c-2'), {
      'if-none-exist': `identifier=${sys}|c-2`,
    });
    expect(many.status).toBe(412);
    expect(outcomeText(many.body)).toContain('matched more than one');
    expect(await api.ids(`Patient?identifier=${sys}|c-2`)).toHaveLength(2);

    const unknown = await api.post('Patient', withMrn('X', 'c-3'), { 'if-none-exist': 'nonsense=1' });
    expect(unknown.status).toBe(400);
  });

  it('concurrent If-None-Exist creates and conditional updates on one identifier make one resource', async () => {
    // On PostgreSQL these run in parallel transactions; without the criteria lock each would find
    // nothing and create its own.
    const creates = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        api.post('Patient', withMrn(`Race${i}`, 'r-1'), { 'if-none-exist': `identifier=${sys}|r-1` }),
      ),
    );
    expect(creates.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(creates.map((r) => r.body.id)).size).toBe(1);
    expect(await api.ids(`Patient?identifier=${sys}|r-1`)).toEqual([creates[0].body.id]);

    const updates = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        // The same criteria in another order are the same criteria.
        api.put(
          i % 2
            ? `Patient?identifier=${sys}|r-2&gender=female`
            : `Patient?gender=female&identifier=${sys}|r-2`,
          withMrn(`RaceUpd${i}`, 'r-2'),
        ),
      ),
    );
    expect(updates.filter((r) => r.status === 201)).toHaveLength(1);
    expect(updates.filter((r) => r.status === 200)).toHaveLength(5);
    expect(await api.ids(`Patient?identifier=${sys}|r-2`)).toHaveLength(1);
  });

  it('conditional update: creates on no match, updates the single match, 412 on several', async () => {
    const created = await api.put(`Patient?identifier=${sys}|u-1`, withMrn('CondUpd', 'u-1'));
    expect(created.status).toBe(201);
    const updated = await api.put(`Patient?identifier=${sys}|u-1`, {
      ...withMrn('CondUpd', 'u-1'),
      gender: 'male',
    });
    expect(updated.status).toBe(200);
    expect(updated.body.id).toBe(created.body.id);
    expect(updated.body.meta.versionId).toBe('2');
    expect(updated.body.gender).toBe('male');

    const wrongId = await api.put(`Patient?identifier=${sys}|u-1`, {
      ...withMrn('CondUpd', 'u-1'),
      id: 'other',
    });
    expect(wrongId.status).toBe(400);

    await api.create(withMrn('Dup', 'u-2'));
    await api.create(withMrn('Dup', 'u-2'));
    const many = await api.put(`Patient?identifier=${sys}|u-2`, withMrn('Dup', 'u-2'));
    expect(many.status).toBe(412);
    expect(many.body.issue[0].code).toBe('multiple-matches');
  });

  it('conditional delete: deletes the single match, 412 on several, 204 on none', async () => {
    const p = await api.create(withMrn('CondDel', 'd-1'));
    expect((await api.delete(`Patient?identifier=${sys}|d-1`)).status).toBe(204);
    expect((await api.get(`Patient/${p.id}`)).status).toBe(410);
    expect((await api.delete(`Patient?identifier=${sys}|d-1`)).status).toBe(204);
    await api.create(withMrn('CondDel', 'd-2'));
    await api.create(withMrn('CondDel', 'd-2'));
    expect((await api.delete(`Patient?identifier=${sys}|d-2`)).status).toBe(412);
    expect(await api.ids(`Patient?identifier=${sys}|d-2`)).toHaveLength(2);
    expect((await api.delete('Patient')).status).toBe(405);
  });
});

describe('JSON Patch', () => {
  const jsonPatch = { 'content-type': 'application/json-patch+json' };

  it('applies a patch as a new version, honouring If-Match and test operations', async () => {
    const p = await api.create(patient('Patchy'));
    const ok = await api.patch(
      `Patient/${p.id}`,
      [
        { op: 'test', path: '/gender', value: 'female' },
        { op: 'replace', path: '/gender', value: 'other' },
        { op: 'add', path: '/name/0/given/-', value: 'Beth' },
      ],
      { ...jsonPatch, 'if-match': 'W/"1"' },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.gender).toBe('other');
    expect(ok.body.name[0].given).toEqual(['Ann', 'Beth']);
    expect(ok.body.meta.versionId).toBe('2');
    expect(ok.headers.etag).toBe('W/"2"');

    const failedTest = await api.patch(
      `Patient/${p.id}`,
      [
        { op: 'test', path: '/gender', value: 'female' },
        { op: 'replace', path: '/birthDate', value: '1999-01-01' },
      ],
      jsonPatch,
    );
    expect(failedTest.status).toBe(422);
    expect(outcomeText(failedTest.body)).toMatch(/operation 0.*test/i);
    const now = await api.get(`Patient/${p.id}`);
    expect(now.body.meta.versionId).toBe('2');
    expect(now.body.birthDate).toBe('1980-05-06');
  });

  it('refuses malformed patches, patches that make the resource invalid, and changes of id', async () => {
    const p = await api.create(patient('Patchy2'));
    const notArray = await api.patch(`Patient/${p.id}`, { op: 'replace' }, jsonPatch);
    expect(notArray.status).toBe(400);
    expect(outcomeText(notArray.body)).toContain('must be an array');
    const badPath = await api.patch(
      `Patient/${p.id}`,
      [{ op: 'replace', path: '/name/5/family', value: 'x' }],
      jsonPatch,
    );
    expect(badPath.status).toBe(422);
    expect(outcomeText(badPath.body)).toContain('operation 0');
    const invalid = await api.patch(
      `Patient/${p.id}`,
      [{ op: 'replace', path: '/gender', value: 'banana' }],
      jsonPatch,
    );
    expect(invalid.status).toBe(422);
    expect(invalid.body.issue[0].expression).toEqual(['Patient.gender']);
    const idChange = await api.patch(
      `Patient/${p.id}`,
      [{ op: 'replace', path: '/id', value: 'new-id' }],
      jsonPatch,
    );
    expect(idChange.status).toBe(422);
    expect(outcomeText(idChange.body)).toContain('may not change');
    const missing = await api.patch('Patient/nope', [{ op: 'remove', path: '/gender' }], jsonPatch);
    expect(missing.status).toBe(404);
    expect((await api.get(`Patient/${p.id}`)).body.meta.versionId).toBe('1');
  });
});
