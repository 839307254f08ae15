import { dayOf, isDayMonthSwap, monthOf, yearOf } from '../normalize/dates';
import { relatedNames } from '../normalize/nicknames';
import { soundAlike } from '../normalize/phonetic';
import type { LevelRule } from '../rules/schema';
import type { Column } from '../table/column';
import { withinEdits } from './edit-distance';
import { jaroWinklerAtLeast, loosestJaroNeeded } from './jaro-winkler';

/**
 * Value-level tests behind each comparator. They take a column and value id for each side; the columns
 * differ only when values are compared across fields (a first/last-name swap, given vs middle), so the
 * exact test falls back from key ids to key strings then.
 */
export type Predicate = (ca: Column, a: number, cb: Column, b: number) => boolean;

const keyOf = (c: Column, id: number): string => (c.keysAreValues ? c.values[id] : c.keys[c.keyOf[id]]);
const firstWord = (c: Column, id: number): string => c.tokensOf(id)[0] ?? keyOf(c, id);

const exact: Predicate = (ca, a, cb, b) =>
  ca === cb ? (ca.keysAreValues ? a === b : ca.keyOf[a] === cb.keyOf[b]) : keyOf(ca, a) === keyOf(cb, b);

// Indexed loops in the helpers below: they run for tens of millions of pairs.
function intersects(x: readonly number[], y: readonly number[]): boolean {
  for (let i = 0; i < x.length; i++) if (y.includes(x[i])) return true;
  return false;
}

function sharesToken(x: readonly string[], y: readonly string[]): boolean {
  for (let i = 0; i < x.length; i++) if (x[i].length > 1 && y.includes(x[i])) return true;
  return false;
}

/** The digits after a "system|" prefix as a number, or NaN; no allocation. */
function numberAfterBar(s: string): number {
  let v = 0;
  for (let i = s.indexOf('|') + 1; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** The test for one level; `missing`, `one-sided`, `else` and `cross-field` are handled by the caller. */
export function predicateFor(level: LevelRule): Predicate {
  switch (level.comparator) {
    case 'exact':
      return exact;
    case 'jaro-winkler': {
      const t = level.threshold ?? 1;
      const needed = loosestJaroNeeded(t);
      return (ca, a, cb, b) => {
        // Street lines are nearly all distinct (no value-pair cache): bound them from character counts first.
        if (ca === cb && ca.kind === 'address' && !ca.mayBeJaroClose(a, b, needed)) return false;
        return jaroWinklerAtLeast(keyOf(ca, a), keyOf(cb, b), t);
      };
    }
    case 'levenshtein': {
      const max = level.maxDistance ?? 1;
      const tr = level.transpositions ?? false;
      return (ca, a, cb, b) => withinEdits(keyOf(ca, a), keyOf(cb, b), max, tr);
    }
    case 'phonetic':
      return (ca, a, cb, b) => soundAlike(ca.codesOf(a), cb.codesOf(b));
    case 'nickname':
      return (ca, a, cb, b) => intersects(ca.nickOf(a), cb.nickOf(b));
    case 'nickname-close': {
      // A nickname with a typo ("Eddei" for Eddie, "Jony" for Jonny): one name is close to a name that the
      // other one's nickname groups contain.
      const t = level.threshold ?? 1;
      const edits = level.maxDistance ?? 0;
      const close = (x: string, r: string) =>
        jaroWinklerAtLeast(x, r, t) || (edits > 0 && x.length > 3 && withinEdits(x, r, edits, true));
      return (ca, a, cb, b) => {
        const x = firstWord(ca, a);
        const y = firstWord(cb, b);
        for (const r of relatedNames(y)) if (close(x, r)) return true;
        for (const r of relatedNames(x)) if (close(y, r)) return true;
        return false;
      };
    }
    case 'abbreviation': {
      // "Dan" for "Daniel", "Chris" for "Christopher": one name is the start of the other.
      const n = level.length ?? 3;
      return (ca, a, cb, b) => {
        const x = keyOf(ca, a);
        const y = keyOf(cb, b);
        if (x.length < n || y.length < n || x.length === y.length) return false;
        return x.length < y.length ? y.startsWith(x) : x.startsWith(y);
      };
    }
    case 'adjacent-number': {
      const max = level.maxDifference ?? 1;
      return (ca, a, cb, b) => {
        const x = keyOf(ca, a);
        const y = keyOf(cb, b);
        // Same-length numbers (after any "system|" prefix) that differ by at most `max`.
        if (x.length !== y.length) return false;
        return Math.abs(numberAfterBar(x) - numberAfterBar(y)) <= max;
      };
    }
    case 'initial':
      return (ca, a, cb, b) => {
        const x = keyOf(ca, a);
        const y = keyOf(cb, b);
        return (x.length === 1 || y.length === 1) && x.charCodeAt(0) === y.charCodeAt(0);
      };
    case 'token-overlap':
      return (ca, a, cb, b) => sharesToken(ca.tokensOf(a), cb.tokensOf(b));
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

/**
 * Cross-field agreement: a significant word of one value is a word of the other. Exact words only: "Nancy"
 * as a first name and "Ann" as a sister's middle name must not look alike.
 */
export const crossAgrees: Predicate = (ca, a, cb, b) => sharesToken(ca.tokensOf(a), cb.tokensOf(b));
