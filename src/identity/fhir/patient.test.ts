import { describe, expect, it } from 'vitest';
import { patientToMatchRecord, SSN_SYSTEM, type PatientLike } from './patient';

describe('patientToMatchRecord', () => {
  it('reads the current official name, home address, phone, SSN and other identifiers', () => {
    const patient: PatientLike = {
      resourceType: 'Patient',
      id: 'p1',
      identifier: [
        { system: 'urn:oid:2.16.840.1.113883.4.3.6', value: 'A1234567' },
        { system: SSN_SYSTEM, value: '123-45-6788' },
        { system: 'http://hospital.example/mrn', value: 'MRN-1', period: { end: '2020-01-01' } },
      ],
      name: [
        { use: 'old', family: 'Lopez', given: ['Maria'] },
        { use: 'official', family: 'Lopez-Smith', given: ['Maria', 'Guadalupe'], suffix: ['Jr'] },
      ],
      gender: 'female',
      birthDate: '1980-02-04',
      telecom: [
        { system: 'email', value: 'm@example.org' },
        { system: 'phone', value: '(408) 555-0101', use: 'work' },
        { system: 'phone', value: '(408) 555-0102', use: 'mobile' },
      ],
      address: [
        { use: 'old', line: ['1 Old Rd'], city: 'Fresno', postalCode: '93701' },
        { use: 'home', type: 'postal', line: ['PO Box 9'], city: 'San Jose' },
        { use: 'home', line: ['123 Main St', 'Apt 4'], city: 'San Jose', state: 'CA', postalCode: '95112' },
      ],
    };
    expect(patientToMatchRecord(patient)).toEqual({
      id: 'p1',
      given: 'Maria',
      middle: 'Guadalupe',
      family: 'Lopez-Smith',
      suffix: 'Jr',
      gender: 'female',
      birthDate: '1980-02-04',
      ssn: '123-45-6788',
      phone: '(408) 555-0102',
      line: '123 Main St Apt 4',
      city: 'San Jose',
      state: 'CA',
      postalCode: '95112',
      identifiers: ['urn:oid:2.16.840.1.113883.4.3.6|A1234567'],
    });
  });

  it('recognizes an SSN by its v2 identifier type and copes with a bare Patient', () => {
    const r = patientToMatchRecord({
      identifier: [
        {
          type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'SS' }] },
          value: '123456788',
        },
      ],
    });
    expect(r).toMatchObject({ id: '', ssn: '123456788', identifiers: [] });
  });
});
