import type { Patient } from '@medplum/fhirtypes';
import { normalizeBirthDate } from '../person-search-query';

/** What the "create a person" form collects; every value as typed. */
export interface NewPersonForm {
  given: string;
  family: string;
  birthDate: string;
  gender: string;
  phone: string;
  line: string;
  city: string;
  state: string;
  postalCode: string;
  ssn: string;
}

export const EMPTY_FORM: NewPersonForm = {
  given: '',
  family: '',
  birthDate: '',
  gender: '',
  phone: '',
  line: '',
  city: '',
  state: '',
  postalCode: '',
  ssn: '',
};

export const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';

export type FormErrors = Partial<Record<keyof NewPersonForm, string>>;

/**
 * The Patient the form describes, or the errors to show by field. A full birth date and both names are
 * required: without them matching cannot tell people apart, and a record that cannot be matched
 * becomes tomorrow's duplicate.
 */
export function patientFromForm(form: NewPersonForm): { patient: Patient } | { errors: FormErrors } {
  const errors: FormErrors = {};
  const v = (k: keyof NewPersonForm): string => form[k].trim();
  if (!v('given')) errors.given = 'Enter a first name.';
  if (!v('family')) errors.family = 'Enter a last name.';
  const date = normalizeBirthDate(v('birthDate'));
  if ('error' in date) errors.birthDate = date.error;
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(date.value))
    errors.birthDate = 'Enter the full birth date as YYYY-MM-DD or MM/DD/YYYY.';
  const ssnDigits = v('ssn').replace(/\D/g, '');
  if (v('ssn') && ssnDigits.length !== 9) errors.ssn = 'An SSN has 9 digits.';
  if (Object.keys(errors).length || 'error' in date) return { errors };
  const hasAddress = v('line') || v('city') || v('state') || v('postalCode');
  const patient: Patient = {
    resourceType: 'Patient',
    name: [{ use: 'official', family: v('family'), given: v('given').split(/\s+/) }],
    birthDate: date.value,
    ...(v('gender') ? { gender: v('gender') as Patient['gender'] } : {}),
    ...(ssnDigits
      ? {
          identifier: [
            {
              system: SSN_SYSTEM,
              value: `${ssnDigits.slice(0, 3)}-${ssnDigits.slice(3, 5)}-${ssnDigits.slice(5)}`,
            },
          ],
        }
      : {}),
    ...(v('phone') ? { telecom: [{ system: 'phone', value: v('phone') }] } : {}),
    ...(hasAddress
      ? {
          address: [
            {
              use: 'home',
              ...(v('line') ? { line: [v('line')] } : {}),
              ...(v('city') ? { city: v('city') } : {}),
              ...(v('state') ? { state: v('state').toUpperCase() } : {}),
              ...(v('postalCode') ? { postalCode: v('postalCode') } : {}),
            },
          ],
        }
      : {}),
  };
  return { patient };
}
