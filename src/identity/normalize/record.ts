import type { MatchRecord } from '../types';
import { normalizeCity, normalizePostalCode, normalizeState, standardizeAddress } from './address';
import { parseDate } from './dates';
import { normalizeGender, normalizeIdentifier, normalizePhone, normalizeSsn } from './identifiers';
import { normalizeFamily, normalizeGiven, normalizeSuffix } from './names';

/**
 * A record after normalization. Names keep their words separated by single spaces (particles included) so
 * that both the joined key and the separate words can be derived; every other value is in its compared form.
 * Missing values are "" (0 for the birth date).
 */
export interface NormalizedRecord {
  given: string;
  middle: string;
  family: string;
  suffix: string;
  gender: string;
  birthDate: number;
  ssn: string;
  phone: string;
  line: string;
  city: string;
  state: string;
  postalCode: string;
  identifiers: string[];
}

export function normalizeRecord(r: MatchRecord, maxYear?: number): NormalizedRecord {
  const g = normalizeGiven(r.given);
  let m = normalizeGiven(r.middle);
  const f = normalizeFamily(r.family);
  let given = g.words.join(' ');
  let middle = m.words.join(' ');
  // "JOHN Q" in the given field with no middle: the trailing initial is the middle name.
  const last = g.words[g.words.length - 1];
  if (middle === '' && g.words.length > 1 && last.length === 1) {
    given = g.words.slice(0, -1).join(' ');
    m = normalizeGiven(last);
    middle = last;
  }
  const suffix = normalizeSuffix(r.suffix) || f.suffix || g.suffix || m.suffix;
  const ids: string[] = [];
  for (const raw of r.identifiers ?? []) {
    const id = raw ? normalizeIdentifier(raw) : '';
    if (id && !ids.includes(id)) ids.push(id);
  }
  return {
    given,
    middle,
    family: f.words.join(' '),
    suffix,
    gender: normalizeGender(r.gender),
    birthDate: parseDate(r.birthDate, maxYear),
    ssn: normalizeSsn(r.ssn),
    phone: normalizePhone(r.phone),
    line: standardizeAddress(r.line).line,
    city: normalizeCity(r.city),
    state: normalizeState(r.state),
    postalCode: normalizePostalCode(r.postalCode),
    identifiers: ids,
  };
}
