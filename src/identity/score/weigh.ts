import type { RecordComparer } from '../compare/compare-records';
import type { MatchRules } from '../rules/schema';
import { compileHardRules, violatedHardRule, type ModelParams } from './model';
import { termFrequencyAdjustments } from './term-frequency';

/**
 * Match weights of candidate pairs: the pattern's summed level weights (computed once per distinct
 * pattern) plus term-frequency adjustments for exact agreements on frequent or rare values. Pairs a hard
 * rule forbids get NaN; patterns a hard rule caps at "possible" are remembered.
 */
export class PairWeigher {
  readonly capped = new Set<number>();
  readonly hardRuleHits: Record<string, number> = {};
  private readonly forbidden = new Set<number>();
  private readonly tfFields: number[] = [];
  private readonly tfTables: (Float32Array | null)[];

  constructor(
    private readonly rules: MatchRules,
    private readonly comparer: RecordComparer,
    private readonly patterns: number[],
    counts: Float64Array,
  ) {
    const F = comparer.fields.length;
    const hard = compileHardRules(rules);
    const lv = new Int32Array(F);
    patterns.forEach((p, x) => {
      for (let k = 0; k < F; k++) lv[k] = comparer.levelOf(p, k);
      const rule = violatedHardRule(hard, lv);
      if (!rule) return;
      this.hardRuleHits[rule.name] = (this.hardRuleHits[rule.name] ?? 0) + counts[x];
      if (rule.decision === 'non-match') this.forbidden.add(p);
      else this.capped.add(p);
    });
    this.tfTables = comparer.fields.map((f, k) => {
      if (f.tfLevel < 0 || !f.scored || f.field === 'identifier') return null;
      this.tfFields.push(k);
      return termFrequencyAdjustments(comparer.columnOf(k), rules.termFrequency.maxAdjustment);
    });
  }

  /** Writes the match weight of pair x (records a[x], pattern p[x]) into out[x]. */
  weigh(params: ModelParams, a: Int32Array, p: Float64Array, n: number, out: Float32Array): void {
    const { comparer } = this;
    const F = comparer.fields.length;
    const byPattern = new Map<number, number>();
    for (const pattern of this.patterns) {
      if (this.forbidden.has(pattern)) {
        byPattern.set(pattern, NaN);
        continue;
      }
      let w = 0;
      for (let k = 0; k < F; k++) w += params.fields[k].weights[comparer.levelOf(pattern, k)];
      byPattern.set(pattern, w);
    }
    for (let x = 0; x < n; x++) {
      let w = byPattern.get(p[x]) ?? NaN;
      if (!Number.isNaN(w)) {
        for (const k of this.tfFields) {
          if (comparer.levelOf(p[x], k) === comparer.fields[k].tfLevel) {
            w += this.tfTables[k]![comparer.valueKey(k, a[x])];
          }
        }
      }
      out[x] = w;
    }
  }
}
