import { dayOf, isDayMonthSwap, monthOf, yearOf } from '../normalize/dates';
import { soundAlike } from '../normalize/phonetic';
import type { LevelRule } from '../rules/schema';
import type { Column } from '../table/column';
import { withinEdits } from './edit-distance';
import { jaroWinkler } from './jaro-winkler';

/**
 * Value-level tests behind each comparator. They take a column and value id for each side; the columns
 * differ only when values are compared across fields (a first/last-name swap, given vs middle), so the
 * exact test falls back from key ids to key strings then.
 */
export type Predicate = (ca: Column, a: number, cb: Column, b: number) => boolean;

const keyOf = (c: Column, id: number): string => c.keys[c.keyOf[id]];

const exact: Predicate = (ca, a, cb, b) =>
  ca === cb ? ca.keyOf[a] === cb.keyOf[b] : keyOf(ca, a) === keyOf(cb, b);

function intersects(x: readonly number[], y: readonly number[]): boolean {
  for (const v of x) if (y.includes(v)) return true;
  return false;
}

function sharesToken(x: readonly string[], y: readonly string[]): boolean {
  for (const t of x) if (t.length > 1 && y.includes(t)) return true;
  return false;
}

/** The test for one level; `missing`, `else` and `cross-field` are handled by the caller. */
export function predicateFor(level: LevelRule): Predicate {
  switch (level.comparator) {
    case 'exact':
      return exact;
    case 'jaro-winkler': {
      const t = level.threshold ?? 1;
      return (ca, a, cb, b) => jaroWinkler(keyOf(ca, a), keyOf(cb, b)) >= t;
    }
    case 'levenshtein': {
      const max = level.maxDistance ?? 1;
      const tr = level.transpositions ?? false;
      return (ca, a, cb, b) => withinEdits(keyOf(ca, a), keyOf(cb, b), max, tr);
    }
    case 'phonetic':
      return (ca, a, cb, b) => soundAlike(ca.codes[a], cb.codes[b]);
    case 'nickname':
      return (ca, a, cb, b) => ca.nick.length > a && cb.nick.length > b && intersects(ca.nick[a], cb.nick[b]);
    case 'initial':
      return (ca, a, cb, b) => {
        const x = keyOf(ca, a);
        const y = keyOf(cb, b);
        return (x.length === 1 || y.length === 1) && x.charCodeAt(0) === y.charCodeAt(0);
      };
    case 'token-overlap':
      return (ca, a, cb, b) => sharesToken(ca.tokens[a], cb.tokens[b]);
    case 'date-swap':
      return (ca, a, cb, b) => isDayMonthSwap(ca.dates[a], cb.dates[b]);
    case 'date-year': {
      const max = level.maxYears ?? 1;
      return (ca, a, cb, b) => {
        const x = ca.dates[a];
        const y = cb.dates[b];
        return monthOf(x) === monthOf(y) && dayOf(x) === dayOf(y) && Math.abs(yearOf(x) - yearOf(y)) <= max;
      };
    }
    case 'prefix': {
      const n = level.length ?? 1;
      return (ca, a, cb, b) => {
        const x = keyOf(ca, a);
        const y = keyOf(cb, b);
        return x.length >= n && y.length >= n && x.slice(0, n) === y.slice(0, n);
      };
    }
    default:
      throw new Error(`comparator "${level.comparator}" has no value-level test`);
  }
}

/** Cross-field agreement: any significant word of one value equals a word of the other, or is a nickname. */
export const crossAgrees: Predicate = (ca, a, cb, b) => {
  if (sharesToken(ca.tokens[a], cb.tokens[b])) return true;
  return ca.nick.length > a && cb.nick.length > b && intersects(ca.nick[a], cb.nick[b]);
};
