import { NICKNAME_GROUPS } from '../normalize/nickname-data';
import { CITIES, CITY_ABBREVIATIONS, DIRECTIONS, STREET_TYPES } from './data-places';
import { SUFFIX_SPELLINGS } from './data-names';
import type { Address } from './person';
import type { Random } from './random';

/**
 * How each source system writes the same facts: date layout, letter case, SSN and phone punctuation, sex
 * codes, spelled-out or abbreviated street words, padded cells. Matching must see through all of it.
 */
export interface SourceStyle {
  name: string;
  date: 'MDY' | 'ISO' | 'COMPACT';
  letterCase: 'upper' | 'title' | 'lower';
  ssnDashes: boolean;
  phone: 'dashes' | 'parens' | 'digits' | 'dots';
  sex: 'letter' | 'word' | 'number';
  longStreetWords: boolean;
  padCells: boolean;
  /** Writes accents back into Spanish names (José, Muñoz) as a modern registry would. */
  accents: boolean;
}

export const SOURCES: SourceStyle[] = [
  { name: 'CALSAWS', date: 'MDY', letterCase: 'upper', ssnDashes: true, phone: 'parens', sex: 'letter', longStreetWords: false, padCells: false, accents: false },
  { name: 'HMIS', date: 'ISO', letterCase: 'title', ssnDashes: false, phone: 'digits', sex: 'number', longStreetWords: true, padCells: false, accents: false },
  { name: 'CLINIC', date: 'COMPACT', letterCase: 'upper', ssnDashes: false, phone: 'dashes', sex: 'letter', longStreetWords: false, padCells: false, accents: true },
  { name: 'JAIL', date: 'MDY', letterCase: 'upper', ssnDashes: true, phone: 'dashes', sex: 'word', longStreetWords: false, padCells: true, accents: false },
  { name: 'WIC', date: 'ISO', letterCase: 'title', ssnDashes: true, phone: 'dots', sex: 'word', longStreetWords: true, padCells: false, accents: true },
  { name: 'CBO', date: 'MDY', letterCase: 'lower', ssnDashes: false, phone: 'parens', sex: 'word', longStreetWords: true, padCells: true, accents: false },
]; // prettier-ignore

const ACCENTED: Record<string, string> = {
  JOSE: 'JOSÉ', JESUS: 'JESÚS', MARIA: 'MARÍA', RAMON: 'RAMÓN', HECTOR: 'HÉCTOR', RAUL: 'RAÚL', ANDRES: 'ANDRÉS',
  TOMAS: 'TOMÁS', MUNOZ: 'MUÑOZ', NUNEZ: 'NÚÑEZ', PENA: 'PEÑA', IBANEZ: 'IBÁÑEZ', LOPEZ: 'LÓPEZ', PEREZ: 'PÉREZ',
  GARCIA: 'GARCÍA', RODRIGUEZ: 'RODRÍGUEZ', MARTINEZ: 'MARTÍNEZ', HERNANDEZ: 'HERNÁNDEZ', GONZALEZ: 'GONZÁLEZ',
  SANCHEZ: 'SÁNCHEZ', RAMIREZ: 'RAMÍREZ', GOMEZ: 'GÓMEZ', DIAZ: 'DÍAZ', JIMENEZ: 'JIMÉNEZ', ALVAREZ: 'ÁLVAREZ',
  LUCIA: 'LUCÍA', SOFIA: 'SOFÍA', ROCIO: 'ROCÍO', CONCEPCION: 'CONCEPCIÓN', BEATRIZ: 'BEATRIZ', VELASQUEZ: 'VELÁSQUEZ',
}; // prettier-ignore

function titleCase(s: string): string {
  return s
    .toLowerCase()
    .replace(/(^|[\s\-'])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
}

export function styleName(s: string, style: SourceStyle): string {
  if (s === '') return s;
  const withAccents = style.accents ? s.replace(/\p{L}+/gu, (w) => ACCENTED[w] ?? w) : s;
  if (style.letterCase === 'upper') return withAccents;
  return style.letterCase === 'lower' ? withAccents.toLowerCase() : titleCase(withAccents);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

export function styleDate([y, m, d]: [number, number, number], style: SourceStyle): string {
  if (style.date === 'MDY') return `${pad2(m)}/${pad2(d)}/${y}`;
  if (style.date === 'ISO') return `${y}-${pad2(m)}-${pad2(d)}`;
  return `${y}${pad2(m)}${pad2(d)}`;
}

export function styleSsn(ssn: string, style: SourceStyle): string {
  return style.ssnDashes ? `${ssn.slice(0, 3)}-${ssn.slice(3, 5)}-${ssn.slice(5)}` : ssn;
}

export function stylePhone(p: string, style: SourceStyle): string {
  switch (style.phone) {
    case 'dashes':
      return `${p.slice(0, 3)}-${p.slice(3, 6)}-${p.slice(6)}`;
    case 'parens':
      return `(${p.slice(0, 3)}) ${p.slice(3, 6)}-${p.slice(6)}`;
    case 'dots':
      return `${p.slice(0, 3)}.${p.slice(3, 6)}.${p.slice(6)}`;
    default:
      return p;
  }
}

export function styleSex(sex: 'M' | 'F', style: SourceStyle): string {
  if (style.sex === 'letter') return sex;
  if (style.sex === 'number') return sex === 'M' ? '1' : '2';
  return sex === 'M' ? 'male' : 'female';
}

export function styleSuffix(code: string, style: SourceStyle, rnd: Random): string {
  return code === '' ? '' : styleName(rnd.pick(SUFFIX_SPELLINGS[code]).toUpperCase(), style);
}

/** Street line as the source writes it: abbreviations or full words, unit as "APT 4", "#4" or "UNIT 4". */
export function styleStreet(a: Address, style: SourceStyle, rnd: Random): string {
  const dir = a.dir ? (style.longStreetWords ? DIRECTIONS.find((d) => d[0] === a.dir)![1] : a.dir) : '';
  const type = STREET_TYPES[a.type][style.longStreetWords ? 1 : 0];
  let line = [a.number, dir, a.street, type].filter(Boolean).join(' ');
  if (a.unit) {
    const designator = rnd.pick(['APT ', '#', 'UNIT ', 'APT. ', 'STE ']);
    line += rnd.chance(0.3) ? `, ${designator}${a.unit}` : ` ${designator}${a.unit}`;
  }
  return styleName(line, style);
}

export function styleCity(a: Address, style: SourceStyle): string {
  const name = CITIES[a.city][0];
  return styleName(style.longStreetWords ? name : (CITY_ABBREVIATIONS[name] ?? name), style);
}

/** Formal name -> its short forms, from the same nickname relation the matcher reads. */
const NICKNAMES = new Map<string, string[]>();
for (const line of NICKNAME_GROUPS) {
  const [formal, ...short] = line.split(' ');
  NICKNAMES.set(formal, [...(NICKNAMES.get(formal) ?? []), ...short]);
}

export function nicknameFor(name: string, rnd: Random): string | undefined {
  const options = NICKNAMES.get(name);
  return options && options.length > 0 ? rnd.pick(options) : undefined;
}
