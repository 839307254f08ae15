import type { Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelResource } from '../labels';
import { accessColumns, patientCompartment } from './index';

const r = (resource: Record<string, unknown>) => resource as unknown as Resource;

// Loading the R4 search parameters takes seconds on a busy machine: do it under the hook timeout.
beforeAll(() => {
  patientCompartment(r({ resourceType: 'Observation', subject: { reference: 'Patient/warm-up' } }));
}, 120_000);

describe('patientCompartment (official R4 Patient CompartmentDefinition)', () => {
  it.each([
    [
      { resourceType: 'Patient', id: 'p1', link: [{ type: 'seealso', other: { reference: 'Patient/p2' } }] },
      ['Patient/p1', 'Patient/p2'],
    ],
    [
      {
        resourceType: 'Observation',
        subject: { reference: 'Patient/p1' },
        performer: [{ reference: 'Practitioner/x' }],
      },
      ['Patient/p1'],
    ],
    [
      {
        resourceType: 'Observation',
        subject: { reference: 'https://kith.example.org/fhir/Patient/p1/_history/3' },
      },
      ['Patient/p1'],
    ],
    [{ resourceType: 'Observation', subject: { reference: 'Group/g1' } }, []],
    [
      {
        resourceType: 'Person',
        link: [{ target: { reference: 'Patient/p1' } }, { target: { reference: 'Patient/p3' } }],
      },
      ['Patient/p1', 'Patient/p3'],
    ],
    [
      { resourceType: 'Task', for: { reference: 'Patient/p1' }, focus: { reference: 'ServiceRequest/s1' } },
      ['Patient/p1'],
    ],
    [{ resourceType: 'Consent', patient: { reference: 'Patient/p4' } }, ['Patient/p4']],
    [
      {
        resourceType: 'Communication',
        subject: { reference: 'Patient/p1' },
        recipient: [{ reference: 'Patient/p2' }],
      },
      ['Patient/p1', 'Patient/p2'],
    ],
    [{ resourceType: 'Organization', id: 'o1' }, []],
    [{ resourceType: 'Location', id: 'l1' }, []],
  ])('%j → %j', (resource, expected) => {
    expect(patientCompartment(r(resource))).toEqual(expected);
  });
});

describe('accessColumns', () => {
  it('computes security, compartment and custodian from a labeled resource', () => {
    const { resource } = labelResource(
      r({
        resourceType: 'Condition',
        id: 'c1',
        subject: { reference: 'Patient/p1' },
        code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'F11.20' }] },
        meta: { security: [{ system: 'http://example.org/other', code: 'X' }] },
      }),
      { sourceOrganization: { id: 'bh', part2Program: true } },
    );
    expect(accessColumns(resource)).toEqual({
      security: ['42CFRPart2', 'ETH', 'NORDSCLCD', 'R'],
      compartment: ['Patient/p1'],
      custodian: 'bh',
      category: [],
    });
    expect(accessColumns(r({ resourceType: 'Organization', id: 'o' }))).toEqual({
      security: [],
      compartment: [],
      custodian: null,
      category: [],
    });
  });

  it('reads category codes of any system, from one CodeableConcept or many, as the SQL column does', () => {
    const obs = r({
      resourceType: 'Observation',
      id: 'o',
      category: [
        { coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-category', code: 'sdoh' }] },
        { coding: [{ code: 'social-history' }, { display: 'no code' }] },
      ],
    });
    expect(accessColumns(obs).category).toEqual(['sdoh', 'social-history']);
    const procedure = r({
      resourceType: 'Procedure',
      id: 'p',
      category: { coding: [{ code: '387713003' }] },
    });
    expect(accessColumns(procedure).category).toEqual(['387713003']);
    const allergy = r({ resourceType: 'AllergyIntolerance', id: 'a', category: ['food'] });
    expect(accessColumns(allergy).category).toEqual([]);
  });
});
