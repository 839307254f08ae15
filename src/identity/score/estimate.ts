import type { RecordComparer } from '../compare/compare-records';
import { mulberry32 } from '../prng';
import type { MatchRules } from '../rules/schema';
import type { RecordTable } from '../table/record-table';
import { runEm } from './em';
import { buildParams, startingM, type ModelParams } from './model';

/**
 * Estimates the model from the data, the way Splink does it:
 * - u from random record pairs (which are almost all non-matches), with the exact level taken from value
 *   frequencies: the chance two records agree exactly is sum c(c-1) / n(n-1) over the values' counts;
 * - m by EM, u held fixed, in sessions: each session looks only at candidate pairs agreeing on some fields
 *   (same birth date; same first and last name) and estimates the other fields. Households share address,
 *   phone and family name but rarely a birth date, so they cannot pose as the matching class.
 */
export interface EstimateInput {
  rules: MatchRules;
  comparer: RecordComparer;
  table: RecordTable;
  /** Distinct candidate patterns and how many pairs have each. */
  patterns: number[];
  counts: Float64Array;
  twoSources: boolean;
  seed?: number;
}

function sampleU(input: EstimateInput): number[][] {
  const { comparer, table, rules } = input;
  const n = table.size;
  const F = comparer.fields.length;
  const counts = comparer.fields.map((f) => new Array<number>(f.labels.length).fill(0.5));
  const scratch = new Int32Array(F);
  const rand = mulberry32(input.seed ?? 20240601);
  const samples = Math.min(rules.em.uSamplePairs, (n * (n - 1)) / 2);
  for (let s = 0; s < samples && n > 1; s++) {
    const i = Math.floor(rand() * n);
    const j = Math.floor(rand() * n);
    if (i === j || (input.twoSources && table.source[i] === table.source[j])) continue;
    comparer.compare(Math.min(i, j), Math.max(i, j), scratch);
    for (let k = 0; k < F; k++) counts[k][scratch[k]]++;
  }
  return counts.map((c, k) => {
    const f = comparer.fields[k];
    const active = (l: number) => l !== f.missingLevel;
    const total = c.reduce((a, v, l) => (active(l) ? a + v : a), 0);
    const u = c.map((v, l) => (active(l) ? v / total : 0));
    const exact = f.rule.levels.findIndex((l) => l.comparator === 'exact');
    if (exact >= 0) {
      // Exact agreement from value frequencies: precise even when random pairs almost never agree.
      const col = comparer.columnOf(k);
      const present = col.present;
      let agree = 0;
      for (const cnt of col.keyCounts) agree += cnt * (cnt - 1);
      const pairs = present * (present - 1);
      if (pairs > 0) {
        const fromFrequency = Math.max(agree / pairs, 1 / pairs);
        const rest = 1 - u[exact];
        for (let l = 0; l < u.length; l++) {
          if (l !== exact && active(l)) u[l] = rest > 0 ? (u[l] * (1 - fromFrequency)) / rest : u[l];
        }
        u[exact] = fromFrequency;
      }
    }
    // A level no sampled pair reached is rare, not impossible: floor it at the sample's resolution.
    for (let l = 0; l < u.length; l++)
      if (active(l) && l !== exact) u[l] = Math.max(u[l], 0.5 / Math.max(samples, 1));
    return u;
  });
}

/**
 * u corrected for the true matches among all pairs. The observed agreement rates (value frequencies,
 * random pairs) count pairs of the same person too: for an SSN nearly every agreement is one. Given the
 * share of matching pairs `lambda` and m, u = (observed - lambda * m) / (1 - lambda), floored.
 */
export function correctU(
  rules: MatchRules,
  observed: number[][],
  m: number[][],
  lambda: number,
  floor: number,
): number[][] {
  return observed.map((obs, k) => {
    const missing = rules.fields[k].levels[0].comparator === 'missing' ? 0 : -1;
    const u = obs.map((o, l) => (l === missing ? 0 : Math.max(floor, (o - lambda * m[k][l]) / (1 - lambda))));
    const sum = u.reduce((a, b) => a + b, 0);
    return u.map((v) => v / sum);
  });
}

export interface Estimate {
  params: ModelParams;
  /** u as observed on all pairs (matches included), for correctU once the prior is known. */
  observedU: number[][];
  m: number[][];
}

export function estimateParameters(input: EstimateInput): Estimate {
  const { rules, comparer, patterns, counts } = input;
  const F = comparer.fields.length;
  const u = sampleU(input);
  const m0 = rules.fields.map(startingM);
  const levels = new Int32Array(patterns.length * F);
  patterns.forEach((p, x) => {
    for (let k = 0; k < F; k++) levels[x * F + k] = comparer.levelOf(p, k);
  });
  const emFields = comparer.fields.map((f) => ({
    levels: f.labels.length,
    missingLevel: f.missingLevel,
    scored: f.scored,
  }));
  const mSum = comparer.fields.map((f) => new Array<number>(f.labels.length).fill(0));
  const mCount = new Array<number>(F).fill(0);
  let iterations = 0;
  let converged = true;

  for (const session of rules.em.sessions) {
    const fixed = Object.entries(session.fixed).map(([field, labels]) => {
      const k = comparer.fields.findIndex((f) => f.field === field);
      return [k, new Set((labels ?? []).map((l) => comparer.fields[k].labels.indexOf(l)))] as const;
    });
    const exclude = comparer.fields.map((_, k) => fixed.some(([fk]) => fk === k));
    const keep: number[] = [];
    for (let x = 0; x < patterns.length; x++) {
      if (fixed.every(([k, set]) => set.has(levels[x * F + k]))) keep.push(x);
    }
    if (keep.length === 0) continue;
    const subLevels = new Int32Array(keep.length * F);
    const subCounts = new Float64Array(keep.length);
    keep.forEach((x, y) => {
      subCounts[y] = counts[x];
      for (let k = 0; k < F; k++) subLevels[y * F + k] = levels[x * F + k];
    });
    const em = runEm({
      fields: emFields,
      levels: subLevels,
      counts: subCounts,
      m0,
      u0: u,
      lambda0: 0.5,
      maxIterations: rules.em.maxIterations,
      tolerance: rules.em.tolerance,
      priorWeight: rules.em.priorWeight,
      fixU: true,
      exclude,
    });
    iterations += em.iterations;
    converged &&= em.converged;
    for (let k = 0; k < F; k++) {
      if (exclude[k]) continue;
      mCount[k]++;
      for (let l = 0; l < mSum[k].length; l++) mSum[k][l] += em.m[k][l];
    }
  }
  const m = mSum.map((s, k) => (mCount[k] > 0 ? s.map((v) => v / mCount[k]) : m0[k]));

  // Share of candidate pairs that are matches under the final model (reported, not used to decide).
  const params = buildParams(rules, m, u, 0, 'em');
  let matchMass = 0;
  let total = 0;
  for (let x = 0; x < patterns.length; x++) {
    let w = 0;
    for (let k = 0; k < F; k++) w += params.fields[k].weights[levels[x * F + k]];
    matchMass += counts[x] / (1 + 2 ** -w);
    total += counts[x];
  }
  const estimated = buildParams(rules, m, u, total > 0 ? matchMass / total : 0, 'em', {
    iterations,
    converged,
    candidatePairs: total,
    distinctPatterns: patterns.length,
  });
  return { params: estimated, observedU: u, m };
}
