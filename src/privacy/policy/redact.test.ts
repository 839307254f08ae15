import type { Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { applyRedaction, decide, redactedSearchParams, searchReadsRedacted, type Decision } from './index';

const patient: Patient = {
  resourceType: 'Patient',
  id: 'p1',
  meta: {
    security: [
      { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' },
      { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'SDV' },
    ],
  },
  name: [{ family: 'Rivera', given: ['Ana'] }],
  birthDate: '1990-02-03',
  address: [{ line: ['12 Safe St'], city: 'Alder' }],
  telecom: [{ system: 'phone', value: '555-0100' }],
  contact: [{ name: { family: 'Rivera' } }],
};

describe('applyRedaction', () => {
  it('removes the protected elements and labels, adds REDACTED, keeps the rest', () => {
    const d = decide(
      {
        kind: 'user',
        subject: 'u',
        organization: { id: 'clinic', kind: 'provider', hipaaCoveredEntity: true, part2Program: false },
        accessLevel: 'view-only',
        roles: [],
        purposeOfUse: 'TREAT',
        scopes: [{ context: 'user', type: '*', ops: 'rs' }],
      },
      { resourceType: 'Patient', id: 'p1', labels: ['R', 'SDV'], patientIds: ['p1'], action: 'read' },
      [],
    );
    expect(d.decision).toBe('redact');
    const out = applyRedaction(patient, d);
    expect(out).toEqual({
      resourceType: 'Patient',
      id: 'p1',
      meta: {
        security: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
            code: 'REDACTED',
            display: 'redacted',
          },
        ],
      },
      name: [{ family: 'Rivera', given: ['Ana'] }],
      birthDate: '1990-02-03',
    });
    expect(patient.address).toHaveLength(1);
  });

  it('returns the resource unchanged for other decisions', () => {
    const permit: Decision = { decision: 'permit', reason: '', ruleId: 'x', policyVersion: '1' };
    expect(applyRedaction(patient, permit)).toBe(patient);
  });
});

describe('searches that read redacted elements', () => {
  it('lists the parameters and detects them, modifiers included', () => {
    expect(redactedSearchParams('Patient')).toContain('address-city');
    expect(redactedSearchParams('Observation')).toEqual([]);
    expect(searchReadsRedacted('Patient', ['name', 'address-city:exact'])).toBe(true);
    expect(searchReadsRedacted('Patient', ['name', 'birthdate'])).toBe(false);
    expect(searchReadsRedacted('*', ['_security'])).toBe(true);
  });
});
