import { compileKeys } from './block/blocker';
import { keyValues } from './block/key-parts';
import { RecordComparer } from './compare/compare-records';
import { normalizeRecord, type NormalizedRecord } from './normalize/record';
import type { NormalizedCandidate } from './normalize/stored-form';
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
  /** blockingKeys and frequencyKeys of a record, normalizing it once (and that normalization). */
  recordKeys(record: MatchRecord): {
    keys: BlockingKey[];
    frequency: [FieldName, string][];
    normalized: NormalizedRecord;
  };
  /**
   * Scores `others` against `a` and keeps only the pairs that are not non-matches (with their
   * evidence), best first, ties in input order: what online matching needs. The evidence of the many
   * non-matching pairs is never built. A record given normalized already is not normalized again.
   */
  candidatesAgainst(
    a: MatchRecord | NormalizedCandidate,
    others: (MatchRecord | NormalizedCandidate)[],
  ): { index: number; result: PairScore }[];
  /**
   * A scorer over a table of many records that grows (records added after it is made are scored too),
   * with value-pair caches: the score of records i and j of `table`, undefined for a non-match (whose
   * evidence is never built). The same scores as scorePair of the two records.
   */
  tableScorer(table: RecordTable): (i: number, j: number) => PairScore | undefined;
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

  const tfOf = (comparer: RecordComparer, k: number, i: number, levels: Int32Array): number => {
    const f = rules.fields[k];
    if (
      !options.termFrequency ||
      !model.fields[k].scored ||
      levels[k] !== tfLevels[k] ||
      f.field === 'identifier'
    )
      return 0;
    const col = comparer.columnOf(k);
    return options.termFrequency(f.field, col.keys[col.keyAt(i)]);
  };

  /**
   * Evidence and decision for records i and j of the comparer's table; with `decidedOnly`, undefined
   * for a non-match, decided before any evidence is built (the sum is the same, in the same order).
   */
  function evaluate(comparer: RecordComparer, i: number, j: number, levels: Int32Array): PairScore;
  function evaluate(
    comparer: RecordComparer,
    i: number,
    j: number,
    levels: Int32Array,
    decidedOnly: true,
  ): PairScore | undefined;
  function evaluate(
    comparer: RecordComparer,
    i: number,
    j: number,
    levels: Int32Array,
    decidedOnly = false,
  ): PairScore | undefined {
    comparer.compare(i, j, levels);
    const rule = violatedHardRule(hard, levels);
    if (decidedOnly) {
      if (rule?.decision === 'non-match') return undefined;
      let sum = 0;
      for (let k = 0; k < levels.length; k++)
        sum += model.fields[k].weights[levels[k]] + tfOf(comparer, k, i, levels);
      if (decide(sum + model.priorLog2Odds, rules, rule) === 'non-match') return undefined;
    }
    let matchWeight = 0;
    const fields: FieldEvidence[] = rules.fields.map((f, k) => {
      const fp = model.fields[k];
      const tfAdjustment = tfOf(comparer, k, i, levels);
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
  }

  // One table for the record and all its candidates: each is normalized once, and value-pair caches
  // pay for their allocation only when there are many candidates.
  const scoreAgainst = (a: MatchRecord, others: MatchRecord[]): PairScore[] => {
    const table = new RecordTable(others.length + 1);
    const i = table.add(a, 0);
    const js = others.map((o) => table.add(o, 1));
    const comparer = new RecordComparer(rules, table, { cacheValuePairs: others.length > 256 });
    const levels = new Int32Array(rules.fields.length);
    return js.map((j) => evaluate(comparer, i, j, levels));
  };

  const tableOf = (record: MatchRecord, normalized = normalizeRecord(record)): RecordTable => {
    const table = new RecordTable(1);
    table.addNormalized(record.id, normalized, 0);
    return table;
  };
  const blockingKeysIn = (table: RecordTable): BlockingKey[] => {
    const out: BlockingKey[] = [];
    for (const key of compileKeys(rules, table)) {
      for (const v of keyValues(key.parts, 0, key.salt)) out.push({ key: key.name, value: v.toString(16) });
    }
    return out;
  };
  const frequencyKeysIn = (table: RecordTable): [FieldName, string][] => {
    const out: [FieldName, string][] = [];
    rules.fields.forEach((f, k) => {
      if (tfLevels[k] < 0 || f.field === 'identifier') return;
      const col = table.column(f.field);
      const key = col.keyAt(0);
      if (key >= 0) out.push([f.field, col.keys[key]]);
    });
    return out;
  };

  const candidatesAgainst = (
    a: MatchRecord | NormalizedCandidate,
    others: (MatchRecord | NormalizedCandidate)[],
  ) => {
    const table = new RecordTable(others.length + 1);
    const add = (r: MatchRecord | NormalizedCandidate, source: number): number =>
      'normalized' in r ? table.addNormalized(r.id, r.normalized, source) : table.add(r, source);
    const i = add(a, 0);
    for (const o of others) add(o, 1);
    const comparer = new RecordComparer(rules, table, { cacheValuePairs: others.length > 256 });
    const levels = new Int32Array(rules.fields.length);
    const out: { index: number; result: PairScore }[] = [];
    for (let k = 0; k < others.length; k++) {
      const result = evaluate(comparer, i, k + 1, levels, true);
      if (result) out.push({ index: k, result });
    }
    return out.sort((x, y) => y.result.score - x.result.score);
  };

  return {
    rules,
    params: model,
    scorePair(a, b) {
      return scoreAgainst(a, [b])[0];
    },
    scoreAgainst,
    candidatesAgainst,
    tableScorer(table) {
      const comparer = new RecordComparer(rules, table, { cacheValuePairs: true });
      const levels = new Int32Array(rules.fields.length);
      return (i, j) => evaluate(comparer, i, j, levels, true);
    },
    blockingKeys(record) {
      return blockingKeysIn(tableOf(record));
    },
    frequencyKeys(record) {
      return frequencyKeysIn(tableOf(record));
    },
    recordKeys(record) {
      const normalized = normalizeRecord(record);
      const table = tableOf(record, normalized);
      return { keys: blockingKeysIn(table), frequency: frequencyKeysIn(table), normalized };
    },
  };
}
