import type { Bundle, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { FhirClient } from './client';
import { loadPersonRecord, unnamedReferences } from './person-record';

const patient: Resource = { resourceType: 'Patient', id: 'p1', name: [{ family: 'Lopez' }] };
const encounter: Resource = {
  resourceType: 'Encounter',
  id: 'e1',
  status: 'finished',
  class: { code: 'AMB' },
  subject: { reference: 'Patient/p1' },
  location: [{ location: { reference: 'Location/l1' } }],
  serviceProvider: { reference: 'Organization/o1', display: 'Named already' },
};
const response: Resource = {
  resourceType: 'QuestionnaireResponse',
  id: 'q1',
  status: 'completed',
  questionnaire: 'http://example.org/Questionnaire/hvs|1.0',
  subject: { reference: 'Patient/p1' },
};

const bundle = (resources: Resource[], mode = 'match'): Bundle => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: resources.map((resource) => ({ resource, search: { mode: mode as 'match' } })),
});

describe('unnamedReferences', () => {
  it('collects references without display of nameable types, and questionnaire canonicals', () => {
    const { references, canonicals } = unnamedReferences([encounter, response], new Map());
    expect([...references]).toEqual([['Location', ['l1']]]);
    expect(canonicals).toEqual(['http://example.org/Questionnaire/hvs|1.0']);
    const known = new Map([['Location/l1', 'Clinic']]);
    expect([...unnamedReferences([encounter], known).references]).toEqual([]);
  });
});

describe('loadPersonRecord', () => {
  it('reads the Patient, its related resources, and names what they reference', async () => {
    const urls: string[] = [];
    const fetchImpl: typeof fetch = async (input) => {
      const url = decodeURIComponent(String(input));
      urls.push(url);
      let body: unknown;
      if (url === '/fhir/Patient/p1') body = patient;
      else if (url.startsWith('/fhir/Patient?_id=p1&_revinclude=*')) {
        body = {
          ...bundle([patient]),
          entry: [...bundle([patient]).entry!, ...bundle([encounter, response], 'include').entry!],
        };
      } else if (url.startsWith('/fhir/Location?_id=l1'))
        body = bundle([{ resourceType: 'Location', id: 'l1', name: 'Westside Clinic' }]);
      else if (url.startsWith('/fhir/Questionnaire?url=http://example.org/Questionnaire/hvs&')) {
        body = bundle([
          {
            resourceType: 'Questionnaire',
            status: 'active',
            url: 'http://example.org/Questionnaire/hvs',
            title: 'Hunger Vital Sign',
          },
        ]);
      } else return new Response('', { status: 500 });
      return new Response(JSON.stringify(body), { status: 200 });
    };
    const record = await loadPersonRecord(new FhirClient({ baseUrl: '/fhir', fetchImpl }), 'p1');
    expect(record.patient.id).toBe('p1');
    expect(record.related.map((r) => r.id)).toEqual(['e1', 'q1']);
    expect(record.truncated).toBe(false);
    expect(record.names.get('Location/l1')).toBe('Westside Clinic');
    expect(record.names.get('http://example.org/Questionnaire/hvs|1.0')).toBe('Hunger Vital Sign');
    expect(urls).toHaveLength(4);
  });

  it('still loads when a name lookup fails', async () => {
    const fetchImpl: typeof fetch = async (input) => {
      const url = decodeURIComponent(String(input));
      if (url === '/fhir/Patient/p1') return new Response(JSON.stringify(patient));
      if (url.startsWith('/fhir/Patient?')) {
        return new Response(
          JSON.stringify({ ...bundle([patient]), entry: [...bundle([encounter], 'include').entry!] }),
        );
      }
      return new Response('{"resourceType":"OperationOutcome","issue":[]}', { status: 403 });
    };
    const record = await loadPersonRecord(new FhirClient({ baseUrl: '/fhir', fetchImpl }), 'p1');
    expect(record.related).toHaveLength(1);
    expect(record.names.has('Location/l1')).toBe(false);
  });
});
