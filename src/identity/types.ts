/**
 * The record shape every source is mapped to before matching. Values are raw strings as the source sent
 * them; normalization happens inside the matcher so the batch and online paths treat them identically.
 * `id` is an opaque key: no comparator, blocking key or model estimate ever reads it.
 */
export interface MatchRecord {
  id: string;
  given?: string;
  middle?: string;
  family?: string;
  suffix?: string;
  gender?: string;
  birthDate?: string;
  ssn?: string;
  phone?: string;
  line?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  /** `system|value` or a bare value; values only compare within the same system. */
  identifiers?: string[];
}

/** Fields a rule set can compare. `identifier` is multi-valued. */
export const FIELD_NAMES = [
  'given',
  'middle',
  'family',
  'suffix',
  'gender',
  'birthDate',
  'ssn',
  'phone',
  'line',
  'city',
  'state',
  'postalCode',
  'identifier',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

/** How a field is normalized and which comparators make sense for it. */
export type FieldKind = 'name' | 'code' | 'date' | 'digits' | 'address' | 'place' | 'multi';

export const FIELD_KINDS: Record<FieldName, FieldKind> = {
  given: 'name',
  middle: 'name',
  family: 'name',
  suffix: 'code',
  gender: 'code',
  birthDate: 'date',
  ssn: 'digits',
  phone: 'digits',
  line: 'address',
  city: 'place',
  state: 'code',
  postalCode: 'digits',
  identifier: 'multi',
};

export type Decision = 'match' | 'possible' | 'non-match';
