import { compileKeys } from './block/blocker';
import { keyValues } from './block/key-parts';
import { RecordComparer } from './compare/compare-records';
import type { MatchRules } from './rules/schema';
import {
  compileHardRules,
  decide,
  paramsFromRules,
  violatedHardRule,
  type FieldEvidence,
  type ModelParams,
  type PairScore,
} from './score/model';
import { RecordTable } from './table/record-table';
import type { FieldName, MatchRecord } from './types';

/**
 * The matcher one record at a time: the same normalization, comparators, blocking keys, weights and hard
 * rules as the batch path (it builds the same RecordTable and RecordComparer, just for two records), so a
 * pair scores identically online and in a batch given the same parameters and term frequencies.
 */
export interface BlockingKey {
  /** Name of the blocking key in the rules. */
  key: string;
  /** Hashed key value (hex), stable across processes: store it to find candidates later. */
  value: string;
}

/** Term-frequency adjustment in bits for an exact agreement on `valueKey` (the normalized value). */
export type TermFrequencySource = (field: FieldName, valueKey: string) => number;

export interface Matcher {
  readonly rules: MatchRules;
  readonly params: ModelParams;
  /** Compare two records: total weight, decision, per-field levels and weights (the evidence). */
  scorePair(a: MatchRecord, b: MatchRecord): PairScore;
  /** scorePair of `a` with each of `others`, in order, faster than one by one. */
  scoreAgainst(a: MatchRecord, others: MatchRecord[]): PairScore[];
  /** The blocking key values of a record, for an index (in memory or a database table). */
  blockingKeys(record: MatchRecord): BlockingKey[];
  /** Normalized exact-comparison key of each field with a term-frequency level (for frequency counts). */
  frequencyKeys(record: MatchRecord): [FieldName, string][];
}

export interface MatcherOptions {
  termFrequency?: TermFrequencySource;
}

function checkParams(rules: MatchRules, params: ModelParams): void {
  const ok =
    params.fields.length === rules.fields.length &&
    params.fields.every(
      (f, k) =>
        f.field === rules.fields[k].field &&
        f.labels.join('|') === rules.fields[k].levels.map((l) => l.label).join('|'),
    );
  if (!ok)
    throw new Error(`model parameters (rules ${params.rulesVersion}) do not fit rules ${rules.version}`);
}

export function createMatcher(
  rules: MatchRules,
  params?: ModelParams,
  options: MatcherOptions = {},
): Matcher {
  const model = params ?? paramsFromRules(rules);
  checkParams(rules, model);
  const hard = compileHardRules(rules);
  const tfLevels = rules.fields.map((f) =>
    f.levels.findIndex((l) => l.comparator === 'exact' && l.termFrequency),
  );

  /** Evidence and decision for records i and j of the comparer's table. */
  const evaluate = (comparer: RecordComparer, i: number, j: number, levels: Int32Array): PairScore => {
    comparer.compare(i, j, levels);
    const rule = violatedHardRule(hard, levels);
    let matchWeight = 0;
    const fields: FieldEvidence[] = rules.fields.map((f, k) => {
      const fp = model.fields[k];
      let tfAdjustment = 0;
      if (options.termFrequency && fp.scored && levels[k] === tfLevels[k] && f.field !== 'identifier') {
        const col = comparer.columnOf(k);
        tfAdjustment = options.termFrequency(f.field, col.keys[col.keyAt(i)]);
      }
      const weight = fp.weights[levels[k]] + tfAdjustment;
      matchWeight += weight;
      return { field: f.field, level: fp.labels[levels[k]], weight, tfAdjustment };
    });
    const score = matchWeight + model.priorLog2Odds;
    return {
      score,
      matchWeight,
      priorLog2Odds: model.priorLog2Odds,
      decision: decide(score, rules, rule),
      hardRule: rule?.name,
      rulesVersion: rules.version,
      fields,
    };
  };

  // One table for the record and all its candidates: each is normalized once, and value-pair caches
  // pay for their allocation only when there are many candidates.
  const scoreAgainst = (a: MatchRecord, others: MatchRecord[]): PairScore[] => {
    const table = new RecordTable();
    const i = table.add(a, 0);
    const js = others.map((o) => table.add(o, 1));
    const comparer = new RecordComparer(rules, table, { cacheValuePairs: others.length > 256 });
    const levels = new Int32Array(rules.fields.length);
    return js.map((j) => evaluate(comparer, i, j, levels));
  };

  return {
    rules,
    params: model,
    scorePair(a, b) {
      return scoreAgainst(a, [b])[0];
    },
    scoreAgainst,
    blockingKeys(record) {
      const table = new RecordTable();
      table.add(record, 0);
      const out: BlockingKey[] = [];
      for (const key of compileKeys(rules, table)) {
        for (const v of keyValues(key.parts, 0, key.salt)) out.push({ key: key.name, value: v.toString(16) });
      }
      return out;
    },
    frequencyKeys(record) {
      const table = new RecordTable();
      table.add(record, 0);
      const out: [FieldName, string][] = [];
      rules.fields.forEach((f, k) => {
        if (tfLevels[k] < 0 || f.field === 'identifier') return;
        const col = table.column(f.field);
        const key = col.keyAt(0);
        if (key >= 0) out.push([f.field, col.keys[key]]);
      });
      return out;
    },
  };
}
