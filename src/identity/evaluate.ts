import { DECISION_MATCH, type LinkResult } from './link-batch';

/**
 * Accuracy of a linkage against ground truth (only for tests and benchmarks: the truth never reaches the
 * matcher). Entities are given per record index; pairs are counted within one source set (deduplication)
 * or across the two sources (linkage), matching how LinkResult pairs were produced.
 */
export interface Accuracy {
  truePairs: number;
  /** Pairs decided `match`. */
  matches: number;
  truePositives: number;
  falsePositives: number;
  precision: number;
  recall: number;
  /** True pairs decided `possible` (would go to review). */
  possibleTrue: number;
  possibleFalse: number;
}

export function evaluateLinks(result: LinkResult, entityOf: ArrayLike<number | string>): Accuracy {
  const n = result.ids.length;
  const twoSources = n > 0 && result.source.some((s) => s !== result.source[0]);
  const groups = new Map<number | string, [number, number]>();
  for (let i = 0; i < n; i++) {
    const g = groups.get(entityOf[i]) ?? [0, 0];
    g[result.source[i] === 0 ? 0 : 1]++;
    groups.set(entityOf[i], g);
  }
  let truePairs = 0;
  for (const [a, b] of groups.values()) truePairs += twoSources ? a * b : (a * (a - 1)) / 2;
  let tp = 0;
  let fp = 0;
  let possibleTrue = 0;
  let possibleFalse = 0;
  for (let x = 0; x < result.count; x++) {
    const same = entityOf[result.a[x]] === entityOf[result.b[x]];
    if (result.decision[x] === DECISION_MATCH) {
      if (same) tp++;
      else fp++;
    } else if (same) possibleTrue++;
    else possibleFalse++;
  }
  return {
    truePairs,
    matches: tp + fp,
    truePositives: tp,
    falsePositives: fp,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: truePairs === 0 ? 1 : tp / truePairs,
    possibleTrue,
    possibleFalse,
  };
}

/** FEBRL ground truth: "rec-12-org" and "rec-12-dup-3" are the same entity, 12. */
export function febrlEntity(recId: string): string {
  const m = /^rec-(\d+)-/.exec(recId.trim());
  if (!m) throw new Error(`not a FEBRL record id: ${recId}`);
  return m[1];
}
