import { SYSTEMS } from '../../terminology';
import type { RowReader } from '../csv/row';
import type { Address, Identifier, Patient } from '../fhir/types';
import type { ResultBuilder } from '../result';

/** Person columns shared by Kith's extract layouts (see README.md in this folder). */
export const PERSON_COLUMNS = [
  'LastName',
  'FirstName',
  'MiddleName',
  'DOB',
  'Sex',
  'SSN',
  'Address',
  'City',
  'State',
  'Zip',
  'Phone',
];

const SEX: Record<string, Patient['gender']> = { F: 'female', M: 'male', X: 'other', U: 'unknown' };

/**
 * The Patient described by the person columns of an extract row, keyed on `key` (the source's
 * person id); `extra` are further identifiers (e.g. a Medi-Cal CIN). A person on several rows
 * (one per program) becomes one Patient; if the rows disagree on date of birth, that is reported.
 */
export function personFromRow(
  r: RowReader,
  key: Identifier,
  extra: Identifier[],
  builder: ResultBuilder,
  today: string,
): Patient {
  const patient: Patient = { resourceType: 'Patient', identifier: [key, ...extra] };
  const family = r.str('LastName');
  const given = [r.str('FirstName'), r.str('MiddleName')].filter((s): s is string => Boolean(s));
  if (family || given.length)
    patient.name = [{ use: 'official', ...(family ? { family } : {}), ...(given.length ? { given } : {}) }];
  else r.report('warning', 'LastName', 'no LastName or FirstName: the person has no name');
  const dob = r.date('DOB');
  if (dob && dob > today) r.report('warning', 'DOB', `'${dob}' is in the future; not mapped`, dob);
  else if (dob) patient.birthDate = dob;
  const sex = r.code('Sex', Object.keys(SEX), 'Sex (F, M, X or U)');
  if (sex) patient.gender = SEX[sex];
  const ssn = r.str('SSN');
  if (ssn) {
    const digits = ssn.replace(/-/g, '');
    if (/^\d{9}$/.test(digits)) patient.identifier!.push({ system: SYSTEMS.usSsn, value: digits });
    else r.report('warning', 'SSN', `'${ssn}' is not a 9-digit SSN; not mapped`, ssn);
  }
  const address: Address = {};
  const line = r.str('Address');
  if (line) address.line = [line];
  const city = r.str('City');
  if (city) address.city = city;
  const state = r.str('State');
  if (state) address.state = state;
  const zip = r.str('Zip');
  if (zip && !/^\d{5}(-\d{4})?$/.test(zip))
    r.report('warning', 'Zip', `'${zip}' is not a ZIP code; not mapped`, zip);
  else if (zip) address.postalCode = zip;
  if (Object.keys(address).length) patient.address = [{ use: 'home', ...address }];
  const phone = r.str('Phone');
  if (phone) patient.telecom = [{ system: 'phone', value: phone }];

  const earlier = builder.get('Patient', key)?.resource as Patient | undefined;
  if (earlier?.birthDate && patient.birthDate && earlier.birthDate !== patient.birthDate) {
    r.report(
      'warning',
      'DOB',
      `person ${key.value} has DOB ${patient.birthDate} here but ${earlier.birthDate} on an earlier row; the later row wins`,
      patient.birthDate,
    );
  }
  // Identifiers seen on earlier rows of the same person stay (one row may carry the SSN, another not).
  for (const id of earlier?.identifier ?? []) {
    if (!patient.identifier!.some((i) => i.system === id.system && i.value === id.value))
      patient.identifier!.push(id);
  }
  return patient;
}
