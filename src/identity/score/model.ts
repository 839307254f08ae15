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
  /** Sum of field weights: log2 of the Bayes factor for "same person". */
  score: number;
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
      weights: rule.levels.map((_, l) => (!scored || l === missingLevel ? 0 : Math.log2(m[k][l] / u[k][l]))),
    };
  });
  return { rulesVersion: rules.version, fields, lambda, source, em };
}

/** Parameters straight from the rules (before any estimation): what the online path uses untrained. */
export function paramsFromRules(rules: MatchRules): ModelParams {
  return buildParams(rules, rules.fields.map(startingM), rules.fields.map(startingU), 0.01, 'rules');
}

/** Hard rules compiled to level sets per field index; a vector meeting every condition is a non-match. */
export interface CompiledHardRule {
  name: string;
  conditions: [number, Set<number>][];
}

export function compileHardRules(rules: MatchRules): CompiledHardRule[] {
  return rules.hardRules.map((h) => ({
    name: h.name,
    conditions: Object.entries(h.when).map(([field, labels]) => {
      const k = rules.fields.findIndex((f) => f.field === field);
      const levels = new Set(
        (labels ?? []).map((label) => rules.fields[k].levels.findIndex((l) => l.label === label)),
      );
      return [k, levels] as [number, Set<number>];
    }),
  }));
}

export function violatedHardRule(hard: CompiledHardRule[], levels: ArrayLike<number>): string | undefined {
  for (const h of hard) if (h.conditions.every(([k, set]) => set.has(levels[k]))) return h.name;
  return undefined;
}

export function decide(score: number, rules: MatchRules, hardRule?: string): Decision {
  if (hardRule) return 'non-match';
  if (score >= rules.thresholds.match) return 'match';
  if (score >= rules.thresholds.possible) return 'possible';
  return 'non-match';
}
