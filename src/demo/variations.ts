/**
 * The ways one person's records differ between source systems: nicknames, typing errors, lost
 * accents, upper case, compound surnames written three ways, swapped day and month, partial dates.
 */
import type { Random } from './random';
import { NICKNAMES } from './names';

export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

const KEYBOARD_NEIGHBOURS: Record<string, string> = {
  a: 'qs',
  b: 'vn',
  c: 'xv',
  d: 'sf',
  e: 'wr',
  f: 'dg',
  g: 'fh',
  h: 'gj',
  i: 'uo',
  j: 'hk',
  k: 'jl',
  l: 'k',
  m: 'n',
  n: 'bm',
  o: 'ip',
  p: 'o',
  q: 'w',
  r: 'et',
  s: 'ad',
  t: 'ry',
  u: 'yi',
  v: 'cb',
  w: 'qe',
  x: 'zc',
  y: 'tu',
  z: 'x',
};

/** One keying error: a neighbouring key, two letters swapped, a letter dropped or doubled. */
export function typo(rng: Random, text: string): string {
  if (text.length < 4) return text;
  const i = rng.int(1, text.length - 2);
  const op = rng.weighted([
    ['substitute', 4],
    ['transpose', 3],
    ['drop', 2],
    ['double', 1],
  ] as const);
  const ch = text[i];
  if (op === 'transpose') {
    if (text[i] === text[i + 1]) return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
  }
  if (op === 'drop') return text.slice(0, i) + text.slice(i + 1);
  if (op === 'double') return text.slice(0, i) + ch + text.slice(i);
  const lower = stripAccents(ch).toLowerCase();
  const options = KEYBOARD_NEIGHBOURS[lower];
  if (!options) return text.slice(0, i) + text.slice(i + 1);
  const replacement = rng.pick(options.split(''));
  return (
    text.slice(0, i) + (ch === ch.toUpperCase() ? replacement.toUpperCase() : replacement) + text.slice(i + 1)
  );
}

export function nickname(rng: Random, given: string): string | undefined {
  const options = NICKNAMES[given] ?? NICKNAMES[stripAccents(given)];
  return options ? rng.pick(options) : undefined;
}

/** How a system writes a two-part surname: "García López", "García-López" or just "García". */
export function compoundSurname(
  first: string,
  second: string | undefined,
  style: 'space' | 'hyphen' | 'first',
): string {
  if (!second || style === 'first') return first;
  return style === 'hyphen' ? `${first}-${second}` : `${first} ${second}`;
}

/** A wrong birth date as clerks produce them: day and month swapped, or one digit off. */
export function birthDateError(rng: Random, birthDate: string): string {
  const [y, m, d] = birthDate.split('-').map(Number);
  if (d <= 12 && d !== m && rng.chance(0.6)) return iso(y, d, m);
  if (rng.chance(0.5)) return iso(y + (rng.chance(0.5) ? 1 : -1), m, m === 2 && d === 29 ? 28 : d);
  return iso(y, m, d >= 28 ? d - 1 : d + 1);
}

function iso(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** HMIS "partial" date quality: only year and month, or only the year. */
export function partialDate(rng: Random, birthDate: string): string {
  return rng.chance(0.5) ? birthDate.slice(0, 7) : birthDate.slice(0, 4);
}

export function formatSsn(ssn: string, dashed: boolean): string {
  return dashed ? `${ssn.slice(0, 3)}-${ssn.slice(3, 5)}-${ssn.slice(5)}` : ssn;
}

/** Two adjacent SSN digits swapped: a classic keying error. */
export function ssnTypo(rng: Random, ssn: string): string {
  const i = rng.int(3, 7);
  if (ssn[i] === ssn[i + 1]) return ssn.slice(0, i) + String((Number(ssn[i]) + 1) % 10) + ssn.slice(i + 1);
  return ssn.slice(0, i) + ssn[i + 1] + ssn[i] + ssn.slice(i + 2);
}

export function upper(text: string): string {
  return text.toUpperCase();
}
