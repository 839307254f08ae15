import type { RecordComparer } from '../compare/compare-records';
import type { MatchRules } from '../rules/schema';
import { compileHardRules, violatedHardRule, type ModelParams } from './model';
import { PatternCounts } from './pattern-counts';
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
    // Per pattern, once: its weight, and which term-frequency fields are at their adjusted level (a bit each).
    const byPattern = new PatternCounts();
    const tfByPattern = new PatternCounts();
    for (const pattern of this.patterns) {
      let w = NaN;
      if (!this.forbidden.has(pattern)) {
        w = 0;
        for (let k = 0; k < F; k++) w += params.fields[k].weights[comparer.levelOf(pattern, k)];
      }
      byPattern.add(pattern, w);
      let bits = 0;
      for (let t = 0; t < this.tfFields.length; t++) {
        const k = this.tfFields[t];
        if (comparer.levelOf(pattern, k) === comparer.fields[k].tfLevel) bits |= 1 << t;
      }
      tfByPattern.add(pattern, bits);
    }
    for (let x = 0; x < n; x++) {
      let w = byPattern.get(p[x], NaN);
      let bits = Number.isNaN(w) ? 0 : tfByPattern.get(p[x]);
      for (let t = 0; bits !== 0; t++, bits >>>= 1) {
        if ((bits & 1) === 0) continue;
        const k = this.tfFields[t];
        w += this.tfTables[k]![comparer.valueKey(k, a[x])];
      }
      out[x] = w;
    }
  }
}
