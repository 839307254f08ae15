import { compileKeys, forEachCandidatePair, type BlockingStats } from './block/blocker';
import type { KeyExchange } from './block/key-exchange';
import { RecordComparer } from './compare/compare-records';
import type { MatchRules } from './rules/schema';
import { PatternCounts } from './score/pattern-counts';
import type { RecordTable } from './table/record-table';

/**
 * The candidate pairs of a batch linkage (or of one share of its blocks), each compared once: record
 * indices and packed comparison pattern per pair, and how many pairs have each pattern. A worker thread
 * computes one share and sends it back as plain typed arrays.
 */
export interface PairShare {
  n: number;
  a: Int32Array;
  b: Int32Array;
  /** Packed comparison pattern of each pair (RecordComparer.pattern). */
  p: Float64Array;
  /** Distinct patterns and the number of pairs with each. */
  patterns: Float64Array;
  counts: Float64Array;
  blocking: BlockingStats;
}

export interface PairShareOptions {
  twoSources: boolean;
  share?: { index: number; of: number };
  /** Threads of one linkage building the key indexes together (see KeyExchange). */
  exchange?: KeyExchange;
  onProgress?: (message: string) => void;
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

export function collectPairs(rules: MatchRules, table: RecordTable, options: PairShareOptions): PairShare {
  const comparer = new RecordComparer(rules, table, { rowMajor: true });
  const scratch = new Int32Array(comparer.fields.length);
  const pairs = new PairBuffer();
  const histogram = new PatternCounts();
  const blocking = forEachCandidatePair(
    table,
    compileKeys(rules, table),
    rules.blocking.maxBlockSize,
    {
      crossSourceOnly: options.twoSources,
      onProgress: options.onProgress,
      refineAbove: rules.blocking.refineAbove,
      share: options.share,
      exchange: options.exchange,
    },
    (i, j) => {
      const p = comparer.pattern(i, j, scratch);
      pairs.push(i, j, p);
      histogram.add(p);
    },
  );
  return {
    n: pairs.n,
    // Trimmed copies: a share crosses threads, and the spare capacity would cross with it.
    a: pairs.a.slice(0, pairs.n),
    b: pairs.b.slice(0, pairs.n),
    p: pairs.p.slice(0, pairs.n),
    ...histogram.entries(),
    blocking,
  };
}

/** The shares of all threads as one: pairs in share order, pattern counts summed, key counts summed. */
export function mergeShares(shares: PairShare[]): PairShare {
  if (shares.length === 1) return shares[0];
  let n = 0;
  for (const s of shares) n += s.n;
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const p = new Float64Array(n);
  const histogram = new PatternCounts();
  let at = 0;
  for (const s of shares) {
    a.set(s.a.subarray(0, s.n), at);
    b.set(s.b.subarray(0, s.n), at);
    p.set(s.p.subarray(0, s.n), at);
    at += s.n;
    for (let x = 0; x < s.patterns.length; x++) histogram.add(s.patterns[x], s.counts[x]);
  }
  const first = shares[0].blocking;
  const blocking: BlockingStats = {
    records: first.records,
    candidatePairs: n,
    keys: first.keys.map((k, x) => {
      const all = shares.map((s) => s.blocking.keys[x]);
      return {
        name: k.name,
        blocks: all.reduce((t, s) => t + s.blocks, 0),
        pairs: all.reduce((t, s) => t + s.pairs, 0),
        skippedBlocks: all.reduce((t, s) => t + s.skippedBlocks, 0),
        skippedRecords: all.reduce((t, s) => t + s.skippedRecords, 0),
        largestBlock: Math.max(...all.map((s) => s.largestBlock)),
      };
    }),
  };
  return {
    n,
    a,
    b,
    p,
    ...histogram.entries(),
    blocking,
  };
}
