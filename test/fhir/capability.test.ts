import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { fhirClient, outcomeText, type FhirClient } from '../helpers/http';
import { searchParamsFor, supportedResourceTypes } from '../../src/fhir/definitions';
import { parseSearch } from '../../src/fhir/search/parse';

let t: TestKith;
let api: FhirClient;
beforeAll(async () => {
  t = await startTestKith();
  api = fhirClient(t.app);
});
afterAll(async () => t?.close());

const REQUIRED_TYPES = (
  'Patient Person RelatedPerson Organization Practitioner PractitionerRole Endpoint Location HealthcareService ' +
  'EpisodeOfCare Encounter Observation Condition Procedure Coverage Questionnaire QuestionnaireResponse CarePlan ' +
  'Goal CareTeam ServiceRequest Task Communication Consent Subscription AuditEvent Provenance CodeSystem ValueSet ' +
  'ConceptMap DocumentReference Bundle AllergyIntolerance Immunization MedicationRequest DiagnosticReport Claim ' +
  'ExplanationOfBenefit ImagingStudy Device'
).split(' ');

/** A value the parser accepts for a parameter of the given type. */
const sampleValue: Record<string, string> = {
  string: 'a',
  token: 'a',
  date: '2020',
  number: '1',
  quantity: '1',
  reference: 'Patient/1',
  uri: 'http://a',
  composite: 'a$b',
  special: 'a',
};

describe('CapabilityStatement', () => {
  it('lists every type served, with its R4 search parameters, interactions and operations', async () => {
    const r = await api.get('metadata');
    expect(r.status).toBe(200);
    const cs = r.body;
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.fhirVersion).toBe('4.0.1');
    expect(cs.kind).toBe('instance');
    expect(cs.format).toContain('application/fhir+json');
    expect(cs.patchFormat).toContain('application/json-patch+json');
    const rest = cs.rest[0];
    expect(rest.mode).toBe('server');
    expect(rest.interaction.map((i: any) => i.code).sort()).toEqual([
      'batch',
      'history-system',
      'search-system',
      'transaction',
    ]);
    const types = rest.resource.map((x: any) => x.type);
    expect(types).toEqual(supportedResourceTypes());
    for (const type of REQUIRED_TYPES) expect(types, type).toContain(type);

    for (const res of rest.resource) {
      const expected = [...searchParamsFor(res.type).keys()].filter((c) => c !== '_compartment').sort();
      expect(res.searchParam.map((p: any) => p.name).sort(), res.type).toEqual(expected);
      expect(res.interaction.map((i: any) => i.code).sort()).toEqual(
        [
          'create',
          'delete',
          'history-instance',
          'history-type',
          'patch',
          'read',
          'search-type',
          'update',
          'vread',
        ].sort(),
      );
      expect(res.operation.map((o: any) => o.name)).toContain('validate');
    }
    const patient = rest.resource.find((x: any) => x.type === 'Patient');
    expect(patient.searchParam).toContainEqual({
      name: 'birthdate',
      definition: 'http://hl7.org/fhir/SearchParameter/individual-birthdate',
      type: 'date',
    });
    expect(patient.conditionalDelete).toBe('single');
    expect(patient.updateCreate).toBe(true);
  });

  it('tells the truth: every advertised search parameter of every type is understood', async () => {
    const cs = (await api.get('metadata')).body;
    let checked = 0;
    for (const res of cs.rest[0].resource) {
      for (const p of res.searchParam) {
        const req = parseSearch(res.type, { [p.name]: sampleValue[p.type] ?? 'a' });
        expect(req.unknown, `${res.type}.${p.name}`).toEqual([]);
        expect(req.filters, `${res.type}.${p.name}`).toHaveLength(1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1500);
    // And over HTTP, under strict handling, each Patient parameter runs.
    for (const p of cs.rest[0].resource.find((x: any) => x.type === 'Patient').searchParam) {
      const r = await api.get(`Patient?${p.name}:missing=true`, { prefer: 'handling=strict' });
      expect(r.status, `${p.name}: ${r.text.slice(0, 200)}`).toBe(200);
    }
  });
});

describe('$validate', () => {
  const good = { resourceType: 'Patient', name: [{ family: 'Valid' }], gender: 'female' };

  it('validates a posted resource or Parameters.resource at type level without storing it', async () => {
    const ok = await api.post('Patient/$validate', good);
    expect(ok.status).toBe(200);
    expect(ok.body.issue).toEqual([
      { severity: 'information', code: 'informational', diagnostics: 'The resource is valid' },
    ]);
    const bad = await api.post('Patient/$validate', {
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'resource',
          resource: { ...good, gender: 'banana', deceasedBoolean: true, deceasedDateTime: '2020' },
        },
      ],
    });
    expect(bad.status).toBe(200);
    expect(bad.body.issue.map((i: any) => i.expression[0]).sort()).toEqual([
      'Patient.deceased',
      'Patient.gender',
    ]);
    expect(bad.body.issue.every((i: any) => i.severity === 'error')).toBe(true);
    const wrongType = await api.post('Observation/$validate', good);
    expect(outcomeText(wrongType.body)).toContain('Expected a Observation');
    expect(await api.ids('Patient?family=valid')).toEqual([]);
  });

  it('validates a stored instance, or a proposed new version of it', async () => {
    const p = await api.create(good);
    const stored = await api.get(`Patient/${p.id}/$validate`);
    expect(stored.status).toBe(200);
    expect(stored.body.issue[0].severity).toBe('information');
    const proposed = await api.post(`Patient/${p.id}/$validate`, { ...p, birthDate: '1990-02-30' });
    expect(proposed.body.issue[0].expression).toEqual(['Patient.birthDate']);
    expect((await api.get(`Patient/missing/$validate`)).status).toBe(404);
    const unknownOp = await api.post('Patient/$frobnicate', good);
    expect(unknownOp.status).toBe(501);
    expect(outcomeText(unknownOp.body)).toContain('$frobnicate');
  });
});

describe('errors are OperationOutcomes that name the element and the problem', () => {
  const cases: {
    name: string;
    send: () => Promise<any>;
    status: number;
    text: string;
    expression?: string;
  }[] = [
    {
      name: 'bad JSON',
      send: () => api.post('Patient', '{"resourceType": "Patient",'),
      status: 400,
      text: 'not valid JSON',
    },
    { name: 'array body', send: () => api.post('Patient', [1]), status: 400, text: 'JSON FHIR resource' },
    {
      name: 'type mismatch',
      send: () => api.post('Patient', { resourceType: 'Observation' }),
      status: 400,
      text: "resourceType 'Observation' does not match",
      expression: 'Resource.resourceType',
    },
    {
      name: 'missing required',
      send: () => api.post('Observation', { resourceType: 'Observation', code: { text: 'x' } }),
      status: 400,
      text: 'Missing required property',
      expression: 'Observation.status',
    },
    {
      name: 'unknown element',
      send: () => api.post('Patient', { resourceType: 'Patient', favouriteColour: 'blue' }),
      status: 400,
      text: 'favouriteColour',
      expression: 'Patient.favouriteColour',
    },
    {
      name: 'wrong JSON type',
      send: () => api.post('Patient', { resourceType: 'Patient', birthDate: 19700101 }),
      status: 400,
      text: 'expected string',
      expression: 'Patient.birthDate',
    },
    {
      name: 'choice type',
      send: () =>
        api.post('Observation', {
          resourceType: 'Observation',
          status: 'final',
          code: { text: 'x' },
          valueQuantity: { value: 'high' },
        }),
      status: 400,
      text: 'expected number',
      expression: 'Observation.valueQuantity.value',
    },
    {
      name: 'two choice types',
      send: () =>
        api.post('Patient', { resourceType: 'Patient', deceasedBoolean: false, deceasedDateTime: '2020' }),
      status: 400,
      text: 'deceased[x] takes one',
      expression: 'Patient.deceased',
    },
    {
      name: 'invariant',
      send: () => api.post('Patient', { resourceType: 'Patient', contact: [{ gender: 'male' }] }),
      status: 422,
      text: 'pat-1',
      expression: 'Patient.contact[0]',
    },
    {
      name: 'required binding',
      send: () => api.post('Patient', { resourceType: 'Patient', gender: 'banana' }),
      status: 422,
      text: "'banana' is not a code",
      expression: 'Patient.gender',
    },
    {
      name: 'bad id',
      send: () => api.put('Patient/bad_id', { resourceType: 'Patient', id: 'bad_id' }),
      status: 400,
      text: "'bad_id' is not a FHIR id",
      expression: 'Patient.id',
    },
    {
      name: 'wrong media type',
      send: () =>
        t
          .inject({
            method: 'POST',
            url: '/fhir/Patient',
            headers: { 'content-type': 'application/xml' },
            payload: 'x',
          })
          .then((r) => ({ status: r.statusCode, body: r.json() })),
      status: 415,
      text: "Content-Type 'application/xml' is not supported",
    },
    {
      name: 'plain text',
      send: () =>
        t
          .inject({
            method: 'POST',
            url: '/fhir/Patient',
            headers: { 'content-type': 'text/plain' },
            payload: '{"resourceType":"Patient"}',
          })
          .then((r) => ({ status: r.statusCode, body: r.json() })),
      status: 415,
      text: "Content-Type 'text/plain' is not supported",
    },
    {
      name: 'unknown route',
      send: () => api.get('/fhir/Patient/1/_history/1/more'),
      status: 404,
      text: 'No route',
    },
    {
      name: 'POST on an instance',
      send: () => api.post('Patient/123', { resourceType: 'Patient' }),
      status: 405,
      text: 'POST is not allowed',
    },
    {
      name: 'unknown type',
      send: () => api.post('Dragon', { resourceType: 'Dragon' }),
      status: 404,
      text: "'Dragon' is not a supported resource type",
    },
  ];

  it.each(cases)('$name', async ({ send, status, text, expression }) => {
    const r = await send();
    expect(r.status).toBe(status);
    const diagnostics = outcomeText(r.body);
    expect(diagnostics).toContain(text);
    expect(diagnostics).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
    expect(r.body.issue[0].severity).toBe('error');
    expect(r.body.issue[0].details.coding[0].code).toMatch(/^[a-z_]+$/);
    if (expression) expect(r.body.issue.map((i: any) => i.expression?.[0])).toContain(expression);
  });
});
