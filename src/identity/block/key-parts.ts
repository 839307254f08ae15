import { monthOf, swapInvariantKey, yearOf } from '../normalize/dates';
import { formalNames } from '../normalize/nicknames';
import { phoneticCodes } from '../normalize/phonetic';
import type { Column } from '../table/column';
import type { RecordTable } from '../table/record-table';
import type { FieldName } from '../types';

/**
 * Blocking key parts as 32-bit hashes. A part derives zero or more values from one field of a record
 * ("family.phonetic" of "GARCIA LOPEZ" gives the codes of GARCIALOPEZ, GARCIA and LOPEZ); values are
 * computed once per distinct field value and reused for every record holding it. Hashes depend only on the
 * values, never on table-local ids, so a record's keys are the same in a batch and in the online index.
 */
export type PartFn = (i: number) => readonly number[];

const NONE: readonly number[] = [];

export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes two 32-bit values into one (order matters). */
export function mix(h: number, v: number): number {
  let x = Math.imul(h ^ v, 0x9e3779b1);
  x ^= x >>> 15;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  return x >>> 0;
}

const unique = (xs: number[]): number[] => (xs.length < 2 ? xs : [...new Set(xs)]);

/** A part computed per value id of one column, memoized. */
function perValue(column: Column, derive: (valueId: number) => string[] | number[]): PartFn {
  const memo: (readonly number[] | undefined)[] = [];
  return (i) => {
    const v = column.ids[i];
    if (v < 0) return NONE;
    let out = memo[v];
    if (out === undefined) {
      const raw = derive(v);
      out = unique(raw.map((x) => (typeof x === 'number' ? mix(0x51ed27, x) : hashString(x))));
      memo[v] = out;
    }
    return out;
  };
}

function firstWord(column: Column, v: number): string {
  return column.tokensOf(v)[0] ?? column.keyString(v);
}

/**
 * The function computing one key part for records of `table`. `shared`: parts made already for the same
 * table, by name; several keys use the same part (birth date, house number, name sounds), and each part
 * memoizes its values per distinct field value, so a part is computed once for all of them.
 */
export function keyPart(table: RecordTable, part: string, shared?: Map<string, PartFn>): PartFn {
  let fn = shared?.get(part);
  if (fn === undefined) {
    fn = makePart(table, part, shared);
    shared?.set(part, fn);
  }
  return fn;
}

function makePart(table: RecordTable, part: string, shared: Map<string, PartFn> | undefined): PartFn {
  if (part === 'names.sounds') {
    // Sound of the first name (and of the formal names it may stand for) paired with the sound of the last
    // name, in sorted order: unchanged by nicknames and by a swap of the two names.
    const given = keyPart(table, 'given.nicknamePhonetic', shared);
    const family = keyPart(table, 'family.phonetic', shared);
    return (i) => {
      const gs = given(i);
      const fs = family(i);
      if (gs.length === 0 || fs.length === 0) return NONE;
      const out: number[] = [];
      for (const g of gs) for (const f of fs) out.push(g < f ? mix(g, f) : mix(f, g));
      return out.length > 1 ? unique(out) : out;
    };
  }
  if (part === 'names.initials') {
    // First letters of first and last name in sorted order: unchanged when a source swaps the two names.
    const g = table.columns.given;
    const f = table.columns.family;
    return (i) => {
      const gi = g.ids[i];
      const fi = f.ids[i];
      if (gi < 0 || fi < 0) return NONE;
      const a = g.keys[g.keyOf[gi]].charCodeAt(0);
      const b = f.keys[f.keyOf[fi]].charCodeAt(0);
      return [mix(0x6e616d, a < b ? a * 256 + b : b * 256 + a)];
    };
  }
  const [fieldName, derived] = part.split('.') as [FieldName, string | undefined];
  if (fieldName === 'identifier') {
    const col = table.identifiers;
    const memo: number[] = [];
    return (i) => {
      const out: number[] = [];
      for (let x = table.identifierStart[i]; x < table.identifierStart[i + 1]; x++) {
        const v = table.identifierList[x];
        memo[v] ??= hashString(col.keys[col.keyOf[v]]);
        out.push(memo[v]);
      }
      return out;
    };
  }
  const col = table.columns[fieldName];
  const key = (v: number) => col.keys[col.keyOf[v]];
  switch (derived) {
    case undefined:
      // Hash the key text, not its id: the online path computes keys one record at a time.
      return perValue(col, (v) => [key(v)]);
    case 'phonetic':
      // Primary codes only: alternates would double most blocks for little gain.
      return perValue(col, (v) => {
        const tokens = col.tokensOf(v);
        const words = tokens.length > 1 ? [key(v), ...tokens] : [key(v)];
        return words.map((w) => phoneticCodes(w)[0] ?? '').filter((c) => c !== '');
      });
    case 'initial':
      return perValue(col, (v) => [key(v).slice(0, 1)]);
    case 'nickname':
      return perValue(col, (v) => formalNames(firstWord(col, v)));
    case 'nicknameInitial':
      return perValue(col, (v) => formalNames(firstWord(col, v)).map((n) => n.slice(0, 1)));
    case 'nicknamePhonetic':
      return perValue(col, (v) => formalNames(firstWord(col, v)).map((n) => phoneticCodes(n)[0] ?? n));
    case 'year':
      return perValue(col, (v) => [yearOf(col.dates[v])]);
    case 'swapInvariant':
      return perValue(col, (v) => [swapInvariantKey(col.dates[v])]);
    case 'month':
      return perValue(col, (v) => [monthOf(col.dates[v])]);
    case 'number':
      return perValue(col, (v) => {
        const first = key(v) === '' ? '' : col.values[v].split(' ')[0];
        return /^\d/.test(first) ? [first] : [];
      });
    default:
      throw new Error(`unknown blocking key part "${part}"`);
  }
}

/**
 * All hashed values of a key for record i: the product of its parts' values (usually one). Empty when any
 * part is missing, so a record with no SSN is simply not blocked on SSN.
 */
export function keyValues(parts: PartFn[], i: number, salt: number): number[] {
  let acc: number[] = [salt];
  for (const part of parts) {
    const vals = part(i);
    if (vals.length === 0) return [];
    if (vals.length === 1) {
      for (let k = 0; k < acc.length; k++) acc[k] = mix(acc[k], vals[0]);
    } else {
      const next: number[] = [];
      for (const a of acc) for (const v of vals) next.push(mix(a, v));
      acc = next;
    }
  }
  return acc.length > 1 ? unique(acc) : acc;
}
