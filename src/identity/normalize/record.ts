import type { MatchRecord } from '../types';
import { normalizeCity, normalizePostalCode, normalizeState, standardizeAddress } from './address';
import { parseDate } from './dates';
import { normalizeGender, normalizeIdentifier, normalizePhone, normalizeSsn } from './identifiers';
import { memoize } from './memo';
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

interface NameParts {
  form: string;
  words: string[];
  suffix: string;
}

const toParts = (n: { words: string[]; suffix: string }): NameParts => ({
  form: n.words.join(' '),
  words: n.words,
  suffix: n.suffix,
});

// Memoized per raw string: the fields whose values repeat across records.
const given = memoize((raw) => toParts(normalizeGiven(raw)));
const family = memoize((raw) => toParts(normalizeFamily(raw)));
const suffix = memoize(normalizeSuffix, 1000);
const gender = memoize(normalizeGender, 1000);
const city = memoize(normalizeCity);
const state = memoize(normalizeState, 1000);
const postal = memoize(normalizePostalCode);
const datesByMaxYear = new Map<number, (raw: string) => number>();

function dateParser(maxYear: number): (raw: string) => number {
  let p = datesByMaxYear.get(maxYear);
  if (!p) datesByMaxYear.set(maxYear, (p = memoize((raw) => parseDate(raw, maxYear))));
  return p;
}

const EMPTY: NameParts = { form: '', words: [], suffix: '' };
const nameOf = (fn: (raw: string) => NameParts, raw: string | undefined): NameParts =>
  raw ? fn(raw) : EMPTY;

/** A birth date as normalizeRecord reads it (memoized per raw string and year). */
export function normalizeBirthDate(raw: string | undefined, maxYear = new Date().getUTCFullYear()): number {
  return raw ? dateParser(maxYear)(raw) : 0;
}

export function normalizeRecord(r: MatchRecord, maxYear = new Date().getUTCFullYear()): NormalizedRecord {
  const g = nameOf(given, r.given);
  let m = nameOf(given, r.middle);
  const f = nameOf(family, r.family);
  let givenForm = g.form;
  // "JOHN Q" in the given field with no middle: the trailing initial is the middle name.
  const last = g.words[g.words.length - 1];
  if (m.form === '' && g.words.length > 1 && last.length === 1) {
    givenForm = g.words.slice(0, -1).join(' ');
    m = given(last);
  }
  const ids: string[] = [];
  for (const raw of r.identifiers ?? []) {
    const id = raw ? normalizeIdentifier(raw) : '';
    if (id && !ids.includes(id)) ids.push(id);
  }
  return {
    given: givenForm,
    middle: m.form,
    family: f.form,
    suffix: (r.suffix ? suffix(r.suffix) : '') || f.suffix || g.suffix || m.suffix,
    gender: r.gender ? gender(r.gender) : '',
    birthDate: normalizeBirthDate(r.birthDate, maxYear),
    ssn: normalizeSsn(r.ssn),
    phone: normalizePhone(r.phone),
    line: r.line ? standardizeAddress(r.line).line : '',
    city: r.city ? city(r.city) : '',
    state: r.state ? state(r.state) : '',
    postalCode: r.postalCode ? postal(r.postalCode) : '',
    identifiers: ids,
  };
}
