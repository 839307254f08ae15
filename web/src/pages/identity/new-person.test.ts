import { describe, expect, it } from 'vitest';
import { EMPTY_FORM, patientFromForm, SSN_SYSTEM } from './new-person';

describe('patientFromForm', () => {
  it('builds a Patient from the form, normalizing the date, SSN and state', () => {
    const r = patientFromForm({
      ...EMPTY_FORM,
      given: ' Maria Elena ',
      family: 'Lopez',
      birthDate: '3/12/1984',
      gender: 'female',
      ssn: '123456789',
      phone: '555-0142',
      line: '12 Oak St',
      city: 'Alder',
      state: 'ca',
    });
    expect('patient' in r && r.patient).toEqual({
      resourceType: 'Patient',
      name: [{ use: 'official', family: 'Lopez', given: ['Maria', 'Elena'] }],
      birthDate: '1984-03-12',
      gender: 'female',
      identifier: [{ system: SSN_SYSTEM, value: '123-45-6789' }],
      telecom: [{ system: 'phone', value: '555-0142' }],
      address: [{ use: 'home', line: ['12 Oak St'], city: 'Alder', state: 'CA' }],
    });
  });

  it('leaves out what was not entered', () => {
    const r = patientFromForm({ ...EMPTY_FORM, given: 'Ana', family: 'Nguyen', birthDate: '1990-01-15' });
    expect('patient' in r && Object.keys(r.patient).sort()).toEqual(['birthDate', 'name', 'resourceType']);
  });

  it('names each missing or wrong field', () => {
    const r = patientFromForm({ ...EMPTY_FORM, birthDate: '1984', ssn: '12-34' });
    expect('errors' in r && r.errors).toEqual({
      given: 'Enter a first name.',
      family: 'Enter a last name.',
      birthDate: 'Enter the full birth date as YYYY-MM-DD or MM/DD/YYYY.',
      ssn: 'An SSN has 9 digits.',
    });
    const bad = patientFromForm({ ...EMPTY_FORM, given: 'A', family: 'B', birthDate: '02/30/1990' });
    expect('errors' in bad && bad.errors.birthDate).toMatch(/no day 30/);
  });
});
