import { distance } from 'fastest-levenshtein';

/**
 * Bounded edit distances. `withinEdits` answers "at most k edits apart?" without computing the full
 * distance: one edit is checked in a single scan, more edits with a dynamic-programming band of width 2k+1
 * that stops as soon as every cell of a row exceeds k. With `transpositions`, a swap of two neighbouring
 * characters counts as one edit (optimal string alignment), which is how digits of SSNs, phones and dates
 * are most often mistyped. Random pairs, the common case, are rejected after a few characters.
 */
function sameFrom(a: string, i: number, b: string, j: number): boolean {
  if (a.length - i !== b.length - j) return false;
  for (; i < a.length; i++, j++) if (a.charCodeAt(i) !== b.charCodeAt(j)) return false;
  return true;
}

function withinOne(a: string, b: string, transpositions: boolean): boolean {
  const la = a.length;
  const lb = b.length;
  const n = Math.min(la, lb);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return true;
  if (la === lb) {
    if (sameFrom(a, i + 1, b, i + 1)) return true;
    return (
      transpositions &&
      i + 1 < la &&
      a.charCodeAt(i) === b.charCodeAt(i + 1) &&
      a.charCodeAt(i + 1) === b.charCodeAt(i) &&
      sameFrom(a, i + 2, b, i + 2)
    );
  }
  return la > lb ? sameFrom(a, i + 1, b, i) : sameFrom(a, i, b, i + 1);
}

const BIG = 1 << 20;
let prev2 = new Int32Array(64);
let prev = new Int32Array(64);
let cur = new Int32Array(64);

function withinBand(a: string, b: string, max: number, transpositions: boolean): boolean {
  const la = a.length;
  const lb = b.length;
  if (lb + 1 > cur.length) {
    prev2 = new Int32Array((lb + 1) * 2);
    prev = new Int32Array((lb + 1) * 2);
    cur = new Int32Array((lb + 1) * 2);
  }
  for (let j = 0; j <= lb; j++) prev[j] = j <= max ? j : BIG;
  for (let i = 1; i <= la; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(lb, i + max);
    cur[0] = i <= max ? i : BIG;
    if (lo > 1) cur[lo - 1] = BIG;
    let rowMin = cur[0];
    const ca = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = prev[j - 1] + (ca === cb ? 0 : 1);
      if (prev[j] + 1 < v) v = prev[j] + 1;
      if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
      if (transpositions && i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) {
        if (prev2[j - 2] + 1 < v) v = prev2[j - 2] + 1;
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < lb) cur[hi + 1] = BIG;
    if (rowMin > max) return false;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[lb] <= max;
}

/** Edit distance; with transpositions, the optimal-string-alignment distance. */
export function editDistance(a: string, b: string, transpositions = false): number {
  if (!transpositions) return distance(a, b);
  for (let k = Math.abs(a.length - b.length); ; k++) if (withinBand(a, b, k, true)) return k;
}

export function withinEdits(a: string, b: string, max: number, transpositions = false): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  if (a === b) return true;
  if (max === 1) return withinOne(a, b, transpositions);
  return withinBand(a, b, max, transpositions);
}
