import { FIELD_NAMES, type MatchRecord } from '../types';
import { normalizeBirthDate, type NormalizedRecord } from './record';

/**
 * A record's normalized form as stored beside its raw form (identity_records.norm), so online matching
 * reads its candidates ready to compare instead of normalizing each one again on every request. The
 * birth date stays raw: how a date is read depends on the current year (two-digit and future years),
 * and parsing it is memoized per raw string. `v` is the normalization's version: a stored form of
 * another version is not used (the candidate query returns the raw record instead), so changing
 * normalization only needs this number raised.
 */
export const STORED_FORM_VERSION = 1;

type Text = Exclude<keyof NormalizedRecord, 'birthDate' | 'identifiers'>;
const TEXT_FIELDS = FIELD_NAMES.filter((f): f is Text => f !== 'birthDate' && f !== 'identifier');

/** Empty values are left out (read back as ""). */
export type StoredForm = { v: number; id: string; birthDate?: string; identifiers?: string[] } & Partial<
  Record<Text, string>
>;

/** A candidate ready to compare: its id and normalized record (see RecordTable.addNormalized). */
export interface NormalizedCandidate {
  id: string;
  normalized: NormalizedRecord;
}

/** The stored form of `record`, whose normalization (with any year) is `n`. */
export function toStoredForm(record: MatchRecord, n: NormalizedRecord): StoredForm {
  const out: StoredForm = { v: STORED_FORM_VERSION, id: record.id };
  for (const f of TEXT_FIELDS) if (n[f] !== '') out[f] = n[f];
  if (record.birthDate) out.birthDate = record.birthDate;
  if (n.identifiers.length) out.identifiers = n.identifiers;
  return out;
}

/** True for a stored form of this version (a raw MatchRecord has no `v`). */
export function isStoredForm(x: MatchRecord | StoredForm): x is StoredForm {
  return (x as StoredForm).v === STORED_FORM_VERSION;
}

/** The candidate a stored form gives: exactly normalizeRecord(record) of the raw record it was made from. */
export function fromStoredForm(s: StoredForm, maxYear?: number): NormalizedCandidate {
  return {
    id: s.id,
    normalized: {
      given: s.given ?? '',
      middle: s.middle ?? '',
      family: s.family ?? '',
      suffix: s.suffix ?? '',
      gender: s.gender ?? '',
      birthDate: normalizeBirthDate(s.birthDate, maxYear),
      ssn: s.ssn ?? '',
      phone: s.phone ?? '',
      line: s.line ?? '',
      city: s.city ?? '',
      state: s.state ?? '',
      postalCode: s.postalCode ?? '',
      identifiers: s.identifiers ?? [],
    },
  };
}
