import type { Patient } from '@medplum/fhirtypes';
import { SSN_SYSTEM } from '../mpi/patient-record';
import { formatDate, parseDate } from '../normalize/dates';
import type { GeneratedRecord } from './generate';

const SOURCE_URL = 'https://kith.example.org/source/';

/** A generated source record as the FHIR Patient its source would send (`id` given, or none). */
export function generatedToPatient(g: GeneratedRecord, id?: string): Patient {
  const date = parseDate(g.dob);
  const sex = g.sex.toLowerCase();
  return {
    resourceType: 'Patient',
    ...(id ? { id } : {}),
    meta: { source: `${SOURCE_URL}${g.source}` },
    identifier: [
      { system: `urn:kith:bench:${g.source}`, value: g.recordId },
      ...(g.ssn ? [{ system: SSN_SYSTEM, value: g.ssn }] : []),
    ],
    name: [
      {
        family: g.lastName || undefined,
        given: [g.firstName, g.middleName].filter(Boolean),
        ...(g.suffix ? { suffix: [g.suffix] } : {}),
      },
    ],
    gender: /^(m|1)/.test(sex) ? 'male' : /^(f|2)/.test(sex) ? 'female' : 'unknown',
    ...(date > 0 ? { birthDate: formatDate(date) } : {}),
    ...(g.phone ? { telecom: [{ system: 'phone', value: g.phone }] } : {}),
    address: [
      {
        ...(g.address ? { line: [g.address] } : {}),
        ...(g.city ? { city: g.city } : {}),
        ...(g.state ? { state: g.state } : {}),
        ...(g.zip ? { postalCode: g.zip } : {}),
      },
    ],
  };
}
