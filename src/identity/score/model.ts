import type { FieldRule, MatchRules } from '../rules/schema';
import type { Decision, FieldName } from '../types';

/**
 * The estimated Fellegi-Sunter model: per field and level the m and u probabilities and the weight
 * log2(m/u). Serializable, so a batch run's estimates can be stored and reused by the online matcher,
 * and every decision can cite the rule version and parameters it used.
 */
export interface FieldParams {
  field: FieldName;
  labels: string[];
  scored: boolean;
  missingLevel: number;
  m: number[];
  u: number[];
  /** log2(m/u); 0 for the missing level and for fields that are not scored. */
  weights: number[];
}

export interface ModelParams {
  rulesVersion: string;
  fields: FieldParams[];
  /** Estimated share of candidate pairs that are matches. */
  lambda: number;
  /** log2 odds that two random records are one person: the rules' default, or estimated by a batch. */
  priorLog2Odds: number;
  /** How the parameters were obtained: "rules" (defaults) or "em" (estimated on a batch). */
  source: 'rules' | 'em';
  em?: { iterations: number; converged: boolean; candidatePairs: number; distinctPatterns: number };
}

export interface FieldEvidence {
  field: FieldName;
  level: string;
  weight: number;
  /** Part of `weight` from the term-frequency adjustment. */
  tfAdjustment: number;
}

export interface PairScore {
  /** Posterior log2 odds of "same person": priorLog2Odds + matchWeight. Thresholds apply to this. */
  score: number;
  /** Sum of field weights: log2 of the Bayes factor for "same person". */
  matchWeight: number;
  priorLog2Odds: number;
  decision: Decision;
  /** Name of the hard rule that forced a non-match, if any. */
  hardRule?: string;
  rulesVersion: string;
  fields: FieldEvidence[];
}

export const missingLevelOf = (rule: FieldRule): number => (rule.levels[0].comparator === 'missing' ? 0 : -1);

/** Starting m for a field: the rules' values where given, else a decreasing share per level. */
export function startingM(rule: FieldRule): number[] {
  const missing = missingLevelOf(rule);
  const active = rule.levels.map((_, l) => l !== missing);
  let rank = 0;
  const raw = rule.levels.map((l, i) => {
    if (!active[i]) return 0;
    if (l.m !== undefined) return l.m;
    return i === rule.levels.length - 1 ? 0.02 : 0.5 ** rank++;
  });
  return normalizeActive(raw, active);
}

/** Default u for a field: the rules' values where given, else a rising share towards `else`. */
export function startingU(rule: FieldRule): number[] {
  const missing = missingLevelOf(rule);
  const active = rule.levels.map((_, l) => l !== missing);
  const raw = rule.levels.map((l, i) =>
    !active[i] ? 0 : (l.u ?? (i === rule.levels.length - 1 ? 0.9 : 0.01)),
  );
  return normalizeActive(raw, active);
}

function normalizeActive(raw: number[], active: boolean[]): number[] {
  const s = raw.reduce((a, b, i) => (active[i] ? a + b : a), 0);
  return raw.map((x, i) => (active[i] ? x / s : 0));
}

export function buildParams(
  rules: MatchRules,
  m: number[][],
  u: number[][],
  lambda: number,
  source: ModelParams['source'],
  em?: ModelParams['em'],
): ModelParams {
  const fields = rules.fields.map((rule, k): FieldParams => {
    const missingLevel = missingLevelOf(rule);
    const scored = rule.scored !== false;
    return {
      field: rule.field,
      labels: rule.levels.map((l) => l.label),
      scored,
      missingLevel,
      m: m[k],
      u: u[k],
      // Probabilities are floored so that a level never seen among non-matches cannot weigh infinitely.
      weights: rule.levels.map((_, l) =>
        !scored || l === missingLevel ? 0 : Math.log2(Math.max(m[k][l], 1e-9) / Math.max(u[k][l], 1e-9)),
      ),
    };
  });
  return { rulesVersion: rules.version, fields, lambda, priorLog2Odds: rules.prior.log2Odds, source, em };
}

/** Parameters straight from the rules (before any estimation): what the online path uses untrained. */
export function paramsFromRules(rules: MatchRules): ModelParams {
  return buildParams(rules, rules.fields.map(startingM), rules.fields.map(startingU), 0.01, 'rules');
}

/** Hard rules compiled to level sets per field index; a vector meeting every condition is a non-match. */
export interface CompiledHardRule {
  name: string;
  decision: 'non-match' | 'possible';
  conditions: [number, Set<number>][];
}

export function compileHardRules(rules: MatchRules): CompiledHardRule[] {
  return rules.hardRules.map((h) => ({
    name: h.name,
    decision: h.decision ?? 'non-match',
    conditions: Object.entries(h.when).map(([field, labels]) => {
      const k = rules.fields.findIndex((f) => f.field === field);
      const levels = new Set(
        (labels ?? []).map((label) => rules.fields[k].levels.findIndex((l) => l.label === label)),
      );
      return [k, levels] as [number, Set<number>];
    }),
  }));
}

/** The first hard rule the comparison vector meets; non-match rules are checked before capping ones. */
export function violatedHardRule(
  hard: CompiledHardRule[],
  levels: ArrayLike<number>,
): CompiledHardRule | undefined {
  let cap: CompiledHardRule | undefined;
  for (const h of hard) {
    if (!h.conditions.every(([k, set]) => set.has(levels[k]))) continue;
    if (h.decision === 'non-match') return h;
    cap ??= h;
  }
  return cap;
}

export function decide(score: number, rules: MatchRules, hardRule?: CompiledHardRule): Decision {
  if (hardRule?.decision === 'non-match') return 'non-match';
  const d: Decision =
    score >= rules.thresholds.match ? 'match' : score >= rules.thresholds.possible ? 'possible' : 'non-match';
  return d === 'match' && hardRule ? 'possible' : d;
}
