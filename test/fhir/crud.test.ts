import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FHIR_HEADERS, startTestKith, type TestKith } from '../helpers/kith';

let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
});
afterAll(async () => t?.close());

const patient = {
  resourceType: 'Patient',
  name: [{ family: 'Chalmers', given: ['Peter'] }],
  gender: 'male',
  birthDate: '1974-12-25',
};

describe('FHIR CRUD', () => {
  it('creates, reads, updates with If-Match, refuses a stale version, deletes to 410', async () => {
    const created = await t.inject({
      method: 'POST',
      url: '/fhir/Patient',
      headers: FHIR_HEADERS,
      payload: patient,
    });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body.meta.versionId).toBe('1');
    expect(created.headers.location).toContain(`/fhir/Patient/${body.id}/_history/1`);

    const read = await t.inject({ method: 'GET', url: `/fhir/Patient/${body.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('W/"1"');
    expect(read.json().name[0].family).toBe('Chalmers');

    const updated = await t.inject({
      method: 'PUT',
      url: `/fhir/Patient/${body.id}`,
      headers: { ...FHIR_HEADERS, 'if-match': 'W/"1"' },
      payload: { ...patient, id: body.id, gender: 'other' },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().meta.versionId).toBe('2');

    const stale = await t.inject({
      method: 'PUT',
      url: `/fhir/Patient/${body.id}`,
      headers: { ...FHIR_HEADERS, 'if-match': 'W/"1"' },
      payload: { ...patient, id: body.id },
    });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().resourceType).toBe('OperationOutcome');

    const v1 = await t.inject({ method: 'GET', url: `/fhir/Patient/${body.id}/_history/1` });
    expect(v1.json().gender).toBe('male');

    expect((await t.inject({ method: 'DELETE', url: `/fhir/Patient/${body.id}` })).statusCode).toBe(204);
    expect((await t.inject({ method: 'GET', url: `/fhir/Patient/${body.id}` })).statusCode).toBe(410);
    const hist = await t.inject({ method: 'GET', url: `/fhir/Patient/${body.id}/_history` });
    expect(hist.json().total).toBe(3);
  });

  it('creates on update with a client id, and names the element at fault when invalid', async () => {
    const put = await t.inject({
      method: 'PUT',
      url: '/fhir/Patient/client-1',
      headers: FHIR_HEADERS,
      payload: { ...patient, id: 'client-1' },
    });
    expect(put.statusCode).toBe(201);
    const bad = await t.inject({
      method: 'POST',
      url: '/fhir/Patient',
      headers: FHIR_HEADERS,
      payload: { ...patient, gender: 'banana' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().issue[0].expression).toEqual(['Patient.gender']);
    const bad2 = await t.inject({
      method: 'POST',
      url: '/fhir/Patient',
      headers: FHIR_HEADERS,
      payload: { ...patient, birthDate: '1974-13-45' },
    });
    expect(bad2.statusCode).toBe(400);
    expect(bad2.json().issue[0].expression).toEqual(['Patient.birthDate']);
  });

  it('answers values of the wrong JSON kind with a 400 naming the element, not a server error', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ _birthDate: 'x' }, 'Patient._birthDate', /expected an object \(Element\), got a string/],
      [
        { name: [{ given: ['Ann'], _given: ['x'] }] },
        'Patient.name[0]._given[0]',
        /object \(Element\) or null/,
      ],
      [{ birthDate: {} }, 'Patient.birthDate', /expected a date value, got an object/],
      [
        { meta: { security: [5] } },
        'Patient.meta.security[0]',
        /expected an object \(Coding\), got a number/,
      ],
      [{ contained: ['x'] }, 'Patient.contained[0]', /expected an object \(Resource\)/],
      [{ deceasedBoolean: [true] }, 'Patient.deceasedBoolean', /expected a boolean value, got an array/],
    ];
    for (const [extra, expression, problem] of cases) {
      const res = await t.inject({
        method: 'POST',
        url: '/fhir/Patient',
        headers: FHIR_HEADERS,
        payload: { ...patient, ...extra },
      });
      expect(res.statusCode, JSON.stringify(extra)).toBe(400);
      const issue = res.json().issue[0];
      expect(issue.expression).toEqual([expression]);
      expect(issue.diagnostics).toMatch(problem);
    }
    const withExtension = {
      ...patient,
      name: [
        { given: ['Ann', 'Lee'], _given: [null, { extension: [{ url: 'http://x/y', valueString: 'v' }] }] },
      ],
    };
    const ok = await t.inject({
      method: 'POST',
      url: '/fhir/Patient',
      headers: FHIR_HEADERS,
      payload: withExtension,
    });
    expect(ok.statusCode).toBe(201);
  });
});
