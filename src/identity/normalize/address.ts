import { CITY_WORDS, DIRECTIONALS, ORDINALS, STATES, STREET_TYPES, UNIT_DESIGNATORS } from './address-data';
import { foldAccents, words } from './text';

/**
 * A US street line split into its parts and rebuilt in USPS form: "123 North Main Street, Apt. 4B" ->
 * number 123, street "N MAIN ST", unit "4B". Matching compares `street` lines without the unit, because
 * people are re-registered at the same building with and without their apartment number.
 */
export interface StandardAddress {
  /** House number as written ("123", "12B", "PO BOX 55"), "" when none. */
  number: string;
  /** Directional + street name + type: "N MAIN ST". */
  street: string;
  /** The street name alone, for phonetic comparison: "MAIN". */
  name: string;
  /** Unit value without its designator: "4B". */
  unit: string;
  /** number + street, the value compared between records. */
  line: string;
}

const EMPTY: StandardAddress = { number: '', street: '', name: '', unit: '', line: '' };

function tokenize(raw: string): string[] {
  // "#12" is a unit; keep the sign as its own word. Periods and apostrophes join ("St." -> "ST").
  const s = foldAccents(raw)
    .replace(/['.’]/g, '')
    .replace(/#/g, ' # ')
    .replace(/[^A-Z0-9#/]+/g, ' ')
    .trim();
  return s === '' ? [] : s.split(' ');
}

const isNumberish = (w: string): boolean =>
  /^\d+[A-Z]?$/.test(w) || /^\d+-\d+$/.test(w) || /^\d+\/\d+$/.test(w);

export function standardizeAddress(raw: string | undefined): StandardAddress {
  if (!raw) return EMPTY;
  let tokens = tokenize(raw);
  if (tokens.length === 0) return EMPTY;

  // PO boxes have no street: keep them whole so "P.O. Box 12" = "PO BOX 12" = "POB 12".
  const joined = tokens.join(' ');
  const box = /^(?:P ?O ?B(?:OX)?|POST OFFICE BOX|BOX)\s*(\w+)/.exec(joined);
  if (box) {
    const line = `PO BOX ${box[1]}`;
    return { number: line, street: '', name: '', unit: '', line };
  }

  let unit = '';
  const unitAt = tokens.findIndex((w, i) => i > 0 && UNIT_DESIGNATORS.has(w) && i < tokens.length - 1);
  if (unitAt > 0) {
    unit = tokens.slice(unitAt + 1).join('');
    tokens = tokens.slice(0, unitAt);
  } else if (tokens.length > 2 && /^\d+[A-Z]?$/.test(tokens[tokens.length - 1]) && isNumberish(tokens[0])) {
    // "12 Oak St 4" : a trailing number after the street type is a unit.
    const prev = tokens[tokens.length - 2];
    if (STREET_TYPES[prev] || DIRECTIONALS[prev]) {
      unit = tokens[tokens.length - 1];
      tokens = tokens.slice(0, -1);
    }
  }

  let number = '';
  if (tokens.length > 1 && isNumberish(tokens[0])) {
    number = tokens[0];
    tokens = tokens.slice(1);
  }

  const out: string[] = [];
  let nameWords: string[] = [];
  // A directional or type is only one when a street name remains beside it ("12 North St" is NORTH ST).
  const isName = (w: string) => !STREET_TYPES[w] && !DIRECTIONALS[w];
  const last = tokens.length - 1;
  const preDir = tokens.length > 1 && DIRECTIONALS[tokens[0]] !== undefined && tokens.slice(1).some(isName);
  const postDir =
    tokens.length > 2 &&
    DIRECTIONALS[tokens[last]] !== undefined &&
    tokens.slice(preDir ? 1 : 0, last).some(isName);
  const typeAt = postDir ? last - 1 : last;
  const hasType =
    typeAt > (preDir ? 1 : 0) &&
    STREET_TYPES[tokens[typeAt]] !== undefined &&
    tokens.slice(preDir ? 1 : 0, typeAt).length > 0;
  tokens.forEach((w, i) => {
    if ((i === 0 && preDir) || (i === last && postDir)) out.push(DIRECTIONALS[w]);
    else if (i === typeAt && hasType) out.push(STREET_TYPES[w]);
    else {
      const word = ORDINALS[w] ?? w;
      out.push(word);
      nameWords.push(word);
    }
  });
  if (nameWords.length === 0) nameWords = out.slice();
  const street = out.join(' ');
  const line = number ? `${number} ${street}` : street;
  return { number, street, name: nameWords.join(' '), unit, line };
}

/** City names: abbreviations expanded, words joined by single spaces ("St. Louis" -> "SAINT LOUIS"). */
export function normalizeCity(raw: string | undefined): string {
  const w = words(raw);
  if (w.length === 0) return '';
  return w
    .map((x, i) => (w.length > 1 && CITY_WORDS[x] && (i === 0 || x.length > 1) ? CITY_WORDS[x] : x))
    .join(' ');
}

/** Two-letter USPS code for US states given by name; other values upper-cased. */
export function normalizeState(raw: string | undefined): string {
  const w = words(raw).join('');
  if (w === '') return '';
  return STATES[w] ?? w;
}

/** Five-digit ZIP (ZIP+4 cut; leading zeros lost by spreadsheets restored); other postcodes as digits. */
export function normalizePostalCode(raw: string | undefined): string {
  if (!raw) return '';
  const m = /^\s*(\d{3,5})(?:[-\s]?\d{4})?\s*$/.exec(raw);
  if (!m) {
    // Non-US postcodes (letters and digits) are kept as upper-case alphanumerics.
    const alnum = words(raw).join('');
    return alnum.length >= 3 ? alnum : '';
  }
  const zip = m[1].padStart(5, '0');
  return zip === '00000' || zip === '99999' ? '' : zip;
}
