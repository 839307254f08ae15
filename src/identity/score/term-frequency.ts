import type { Column } from '../table/column';

/**
 * Term-frequency adjustment of an exact agreement. For a value v held by a fraction p(v) of records, two
 * unrelated records agree on v with probability p(v)^2, while a true pair agrees on v with probability
 * proportional to p(v); against the average agreement S = sum p(w)^2 this shifts the exact-level weight by
 * log2(S / p(v)): agreeing on "GARCIA" counts less than agreeing on "ZAMBRANO-OYELARAN". Bounded by
 * `maxAdjustment` bits so that a rare typo cannot dominate a score.
 */
export type TfLookup = (keyId: number) => number;

export function termFrequencyAdjustments(column: Column, maxAdjustment: number): Float32Array {
  const counts = column.keyCounts;
  const total = column.present;
  const out = new Float32Array(counts.length);
  if (total === 0) return out;
  let sumSquares = 0;
  for (const c of counts) sumSquares += (c / total) * (c / total);
  for (let k = 0; k < counts.length; k++) {
    const p = Math.max(counts[k], 1) / total;
    const adj = Math.log2(sumSquares / p);
    out[k] = Math.max(-maxAdjustment, Math.min(maxAdjustment, adj));
  }
  return out;
}

/** Adjustment for one value given its relative frequency and the field's sum of squared frequencies. */
export function tfAdjustment(frequency: number, sumSquares: number, maxAdjustment: number): number {
  if (!(frequency > 0) || !(sumSquares > 0)) return 0;
  return Math.max(-maxAdjustment, Math.min(maxAdjustment, Math.log2(sumSquares / frequency)));
}
