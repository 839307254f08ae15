import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { BlockingStats } from './block/blocker';
import { KeyExchange } from './block/key-exchange';
import { collectPairs, mergeShares, type PairShare } from './batch-pairs';
import { startBatchWorker } from './batch-worker';
import { RecordComparer } from './compare/compare-records';
import { NormalizeSplit } from './normalize-split';
import type { MatchRules } from './rules/schema';
import { correctU, estimateParameters } from './score/estimate';
import { buildParams, type ModelParams } from './score/model';
import { PairWeigher } from './score/weigh';
import { estimatePriorLog2Odds } from './score/prior';
import { RecordTable, type TableSnapshot } from './table/record-table';
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
  /**
   * Threads for comparing candidate pairs in runParallel (default: the cores, at most 2, and one below
   * 20,000 records). Each extra thread
   * holds its own copy of the record table (about 0.4 KB per record).
   */
  threads?: number;
  /**
   * With more than one thread, normalization is split too once this many records were added (default
   * 20,000), in chunks of `normalizeChunk` records (default 4,096); such a job links with runParallel only.
   */
  splitNormalizationAt?: number;
  normalizeChunk?: number;
}

/** Below this many records a worker thread costs more to start than it saves. */
const PARALLEL_MIN_RECORDS = 20_000;
/** Records per chunk when normalization is split between two threads. */
const NORMALIZE_CHUNK = 4096;

function pairsInWorker(data: {
  rules: MatchRules;
  table: TableSnapshot;
  twoSources: boolean;
  share: { index: number; of: number };
  ports: MessagePort[];
  ready: Int32Array;
}): Promise<PairShare> {
  return new Promise((resolve, reject) => {
    const worker = startBatchWorker('batch-pair-worker', data, data.ports);
    let answered = false;
    worker.once('message', (m: PairShare) => {
      answered = true;
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`batch linkage worker stopped (exit code ${code}) before answering`));
    });
  });
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

/** A linkage in progress: add records (streaming), then run. */
export class LinkJob {
  readonly table = new RecordTable();
  private started = performance.now();
  private normalizeSeconds = 0;

  constructor(
    readonly rules: MatchRules,
    private readonly options: LinkOptions = {},
  ) {}

  private split: NormalizeSplit | null = null;

  private threads(): number {
    return this.options.threads ?? Math.min(2, availableParallelism());
  }

  add(record: MatchRecord, source = 0): void {
    const { maxYear } = this.options;
    let size: number;
    if (this.split !== null) {
      this.split.add(record, source, maxYear);
      size = this.split.size;
    } else {
      this.table.add(record, source, maxYear);
      size = this.table.size;
      if (size === (this.options.splitNormalizationAt ?? PARALLEL_MIN_RECORDS) && this.threads() > 1)
        this.split = new NormalizeSplit(this.table, this.options.normalizeChunk ?? NORMALIZE_CHUNK, maxYear);
    }
    if (size % 100_000 === 0) this.options.onProgress?.(`normalized ${size} records`);
  }

  private twoSources(): boolean {
    const { table } = this;
    return table.size > 0 && table.source.subarray(0, table.size).some((s) => s !== table.source[0]);
  }

  /** Link in this thread. */
  run(): LinkResult {
    if (this.split !== null)
      throw new Error('this linkage normalized its records on two threads: link it with runParallel()');
    this.normalizeSeconds = (performance.now() - this.started) / 1000;
    const t = performance.now();
    const pairs = collectPairs(this.rules, this.table, {
      twoSources: this.twoSources(),
      onProgress: this.options.onProgress,
    });
    return this.finish(pairs, (performance.now() - t) / 1000);
  }

  /**
   * Link with the candidate pairs split over threads (options.threads): each compares the pairs of its
   * share of the blocks with the same comparer; the shares are merged in thread order, so the result is
   * deterministic for a thread count, and the set of pairs, patterns and counts is the same for any.
   */
  async runParallel(): Promise<LinkResult> {
    if (this.split !== null) {
      await this.split.finish();
      this.split = null;
    }
    const threads = this.threads();
    const small = this.options.threads === undefined && this.table.size < PARALLEL_MIN_RECORDS;
    if (threads <= 1 || small) return this.run();
    this.normalizeSeconds = (performance.now() - this.started) / 1000;
    const t = performance.now();
    const twoSources = this.twoSources();
    const table = this.table.snapshot();
    // Ports between every two threads, and a flag per blocking key, for building the key indexes together.
    const ready = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, this.rules.blocking.keys.length)));
    const ports: MessagePort[][] = Array.from({ length: threads }, () => []);
    for (let x = 0; x < threads; x++)
      for (let y = x + 1; y < threads; y++) {
        const channel = new MessageChannel();
        ports[x].push(channel.port1);
        ports[y].push(channel.port2);
      }
    const others: Promise<PairShare>[] = [];
    for (let index = 1; index < threads; index++)
      others.push(
        pairsInWorker({
          rules: this.rules,
          table,
          twoSources,
          share: { index, of: threads },
          ports: ports[index],
          ready,
        }),
      );
    const exchange = new KeyExchange(0, threads, ports[0], ready);
    // Settle every worker's promise even if this thread fails, so none is left unhandled.
    const settled = Promise.allSettled(others);
    let own: PairShare;
    try {
      own = collectPairs(this.rules, this.table, {
        twoSources,
        share: { index: 0, of: threads },
        exchange,
        onProgress: this.options.onProgress,
      });
    } finally {
      exchange.close();
    }
    const shares: PairShare[] = [own];
    for (const r of await settled) {
      if (r.status === 'rejected') throw r.reason;
      shares.push(r.value);
    }
    return this.finish(mergeShares(shares), (performance.now() - t) / 1000);
  }

  private finish(pairs: PairShare, blockSeconds: number): LinkResult {
    const { rules, table } = this;
    const progress = this.options.onProgress ?? (() => {});
    const twoSources = this.twoSources();
    const comparer = new RecordComparer(rules, table);
    const blocking = pairs.blocking;

    // 2. Estimation: u from random pairs and value frequencies, m by EM in sessions.
    let t = performance.now();
    const patterns = [...pairs.patterns];
    const counts = pairs.counts;
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
  // One thread: run() cannot wait for a second thread's share of the normalization.
  const job = new LinkJob(rules, { ...options, threads: 1 });
  for (const r of records) job.add(r, 0);
  if (options.other) for (const r of options.other) job.add(r, 1);
  return job.run();
}
