import { compileKeys, forEachCandidatePair, type BlockingStats } from './block/blocker';
import { RecordComparer } from './compare/compare-records';
import type { MatchRules } from './rules/schema';
import { correctU, estimateParameters } from './score/estimate';
import { buildParams, type ModelParams } from './score/model';
import { PairWeigher } from './score/weigh';
import { estimatePriorLog2Odds } from './score/prior';
import { RecordTable } from './table/record-table';
import type { MatchRecord } from './types';

/**
 * Batch linkage: normalize every record into a RecordTable, generate candidate pairs by blocking, compare
 * each pair once (its vector packed into an integer pattern), estimate m and u by EM over the pattern
 * counts, then weigh every pair (pattern weight + term-frequency adjustments) and keep the matches and
 * possible matches. Memory per candidate pair: 16 bytes.
 */
export interface LinkOptions {
  onProgress?: (message: string) => void;
  seed?: number;
  /** Latest valid birth year (defaults to the current year); fixed in tests for reproducibility. */
  maxYear?: number;
}

export const DECISION_MATCH = 1;
export const DECISION_POSSIBLE = 2;

export interface LinkResult {
  rulesVersion: string;
  /** Number of pairs kept (match or possible). */
  count: number;
  /** Record indices (into `ids`) of each kept pair, a < b. */
  a: Int32Array;
  b: Int32Array;
  score: Float64Array;
  /** DECISION_MATCH or DECISION_POSSIBLE. */
  decision: Uint8Array;
  /** The caller's id of each record, by index. */
  ids: string[];
  /** Record index -> source (0 = first input, 1 = second). */
  source: Uint8Array;
  params: ModelParams;
  blocking: BlockingStats;
  /** Candidate pairs stopped by each hard rule. */
  hardRuleHits: Record<string, number>;
  seconds: { normalize: number; block: number; estimate: number; score: number };
}

class PairBuffer {
  a = new Int32Array(1 << 16);
  b = new Int32Array(1 << 16);
  p = new Float64Array(1 << 16);
  n = 0;
  push(i: number, j: number, pattern: number): void {
    if (this.n === this.a.length) {
      const size = this.a.length * 2;
      const a = new Int32Array(size);
      a.set(this.a);
      this.a = a;
      const b = new Int32Array(size);
      b.set(this.b);
      this.b = b;
      const p = new Float64Array(size);
      p.set(this.p);
      this.p = p;
    }
    this.a[this.n] = i;
    this.b[this.n] = j;
    this.p[this.n++] = pattern;
  }
}

/** A linkage in progress: add records (streaming), then run. */
export class LinkJob {
  readonly table = new RecordTable();
  private started = performance.now();
  private normalizeSeconds = 0;

  constructor(
    readonly rules: MatchRules,
    private readonly options: LinkOptions = {},
  ) {}

  add(record: MatchRecord, source = 0): void {
    this.table.add(record, source, this.options.maxYear);
    if (this.table.size % 100_000 === 0) this.options.onProgress?.(`normalized ${this.table.size} records`);
  }

  run(): LinkResult {
    const { rules, table } = this;
    const progress = this.options.onProgress ?? (() => {});
    this.normalizeSeconds = (performance.now() - this.started) / 1000;
    const twoSources =
      table.size > 0 && table.source.subarray(0, table.size).some((s) => s !== table.source[0]);
    const comparer = new RecordComparer(rules, table);
    const F = comparer.fields.length;
    const scratch = new Int32Array(F);

    // 1. Candidate pairs, each compared once.
    let t = performance.now();
    const pairs = new PairBuffer();
    const histogram = new Map<number, number>();
    const keys = compileKeys(rules, table);
    const blocking = forEachCandidatePair(
      table,
      keys,
      rules.blocking.maxBlockSize,
      { crossSourceOnly: twoSources, onProgress: progress, refineAbove: rules.blocking.refineAbove },
      (i, j) => {
        const p = comparer.pattern(i, j, scratch);
        pairs.push(i, j, p);
        histogram.set(p, (histogram.get(p) ?? 0) + 1);
      },
    );
    const blockSeconds = (performance.now() - t) / 1000;

    // 2. Estimation: u from random pairs and value frequencies, m by EM in sessions.
    t = performance.now();
    const patterns = [...histogram.keys()];
    const counts = Float64Array.from(patterns, (p) => histogram.get(p) ?? 0);
    const estimate = estimateParameters({
      rules,
      comparer,
      table,
      patterns,
      counts,
      twoSources,
      seed: this.options.seed,
    });
    progress(`estimated m and u over ${patterns.length} comparison patterns`);
    const estimateSeconds = (performance.now() - t) / 1000;

    // 3. Weigh every candidate pair; estimate the prior; correct u for the matches the prior implies
    //    (observed agreement on an SSN is nearly all true pairs), and weigh again.
    t = performance.now();
    const weigher = new PairWeigher(rules, comparer, patterns, counts);
    const weights = new Float32Array(pairs.n);
    let nA = 0;
    for (let i = 0; i < table.size; i++) if (table.source[i] === 0) nA++;
    const totalPairs = twoSources ? nA * (table.size - nA) : (table.size * (table.size - 1)) / 2;
    let params = estimate.params;
    for (let round = 0; round < 2; round++) {
      weigher.weigh(params, pairs.a, pairs.p, pairs.n, weights);
      params.priorLog2Odds = estimatePriorLog2Odds(weights, pairs.n, totalPairs, rules.prior.log2Odds);
      if (round === 1) break;
      const lambda = 1 / (1 + 2 ** -params.priorLog2Odds);
      const u = correctU(rules, estimate.observedU, estimate.m, lambda, 1 / Math.max(totalPairs, 1));
      params = buildParams(rules, estimate.m, u, params.lambda, 'em', params.em);
    }
    const hardRuleHits = weigher.hardRuleHits;
    const capped = weigher.capped;
    progress(`prior log2 odds of a match between two random records: ${params.priorLog2Odds.toFixed(2)}`);

    const keep = { a: [] as number[], b: [] as number[], s: [] as number[], d: [] as number[] };
    const { match, possible } = rules.thresholds;
    for (let x = 0; x < pairs.n; x++) {
      const score = weights[x] + params.priorLog2Odds;
      if (!(score >= possible)) continue;
      keep.a.push(pairs.a[x]);
      keep.b.push(pairs.b[x]);
      keep.s.push(score);
      keep.d.push(score >= match && !capped.has(pairs.p[x]) ? DECISION_MATCH : DECISION_POSSIBLE);
    }
    const scoreSeconds = (performance.now() - t) / 1000;
    progress(`scored ${pairs.n} candidate pairs: ${keep.a.length} match or possible`);

    return {
      rulesVersion: rules.version,
      count: keep.a.length,
      a: Int32Array.from(keep.a),
      b: Int32Array.from(keep.b),
      score: Float64Array.from(keep.s),
      decision: Uint8Array.from(keep.d),
      ids: table.externalIds,
      source: table.source.slice(0, table.size),
      params,
      blocking,
      hardRuleHits,
      seconds: {
        normalize: this.normalizeSeconds,
        block: blockSeconds,
        estimate: estimateSeconds,
        score: scoreSeconds,
      },
    };
  }
}

/** Link the records of one list (duplicates within it) or of two lists (links across them). */
export function linkBatch(
  records: Iterable<MatchRecord>,
  rules: MatchRules,
  options: LinkOptions & { other?: Iterable<MatchRecord> } = {},
): LinkResult {
  const job = new LinkJob(rules, options);
  for (const r of records) job.add(r, 0);
  if (options.other) for (const r of options.other) job.add(r, 1);
  return job.run();
}
