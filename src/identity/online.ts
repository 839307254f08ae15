import type { BlockingKey, Matcher } from './matcher';
import type { NormalizedCandidate } from './normalize/stored-form';
import type { PairScore } from './score/model';
import { tfAdjustment } from './score/term-frequency';
import type { FieldName, MatchRecord } from './types';

/**
 * Incremental matching for the online path (a Patient created or updated): compute the new record's
 * blocking keys, look the keys up in an index, score the candidates. InMemoryBlockingIndex is the
 * reference implementation tests use; the database path (src/identity/mpi) fetches every block's
 * candidates in one query (loadCandidates) and scores them with scoreCandidates below.
 */
export interface BlockingIndex {
  /** Ids of records holding this key value; at most `limit` (a huge block is a useless block). */
  lookup(key: BlockingKey, limit: number): Promise<string[]> | string[];
  /** The records with these ids. */
  get(ids: string[]): Promise<MatchRecord[]> | MatchRecord[];
}

export interface Candidate {
  id: string;
  result: PairScore;
}

/** Blocks larger than this are skipped online (rules' onlineMaxBlockSize, else maxBlockSize). */
export function onlineBlockLimit(matcher: Matcher): number {
  return matcher.rules.blocking.onlineMaxBlockSize ?? matcher.rules.blocking.maxBlockSize;
}

/** The rules' onlineMinSharedBlocks (1: every candidate in a block read). */
export function onlineMinSharedBlocks(matcher: Matcher): number {
  return matcher.rules.blocking.onlineMinSharedBlocks ?? 1;
}

/**
 * How many of a record's blocks a candidate must be in to be scored online: the rules'
 * onlineMinSharedBlocks, or every block read when the record has fewer (a record with one usable key
 * still finds the records sharing it). `blocksRead`: the record's keys whose block was not skipped.
 */
export function requiredSharedBlocks(matcher: Matcher, blocksRead: number): number {
  return Math.max(1, Math.min(onlineMinSharedBlocks(matcher), blocksRead));
}

/**
 * The members found in at least `required` of `blocks` (each block's members distinct), in first-seen
 * order. Every online path (the SQL candidate query, sets of writes, the in-memory index) keeps the
 * same ones.
 */
export function sharedByBlocks<T>(blocks: Iterable<T>[], required: number): T[] {
  const count = new Map<T, number>();
  for (const block of blocks) for (const m of block) count.set(m, (count.get(m) ?? 0) + 1);
  const out: T[] = [];
  for (const [m, n] of count) if (n >= required) out.push(m);
  return out;
}

/** Candidates for `record` scored by `matcher`, best first; only match and possible decisions. */
export async function findCandidates(
  record: MatchRecord,
  index: BlockingIndex,
  matcher: Matcher,
): Promise<Candidate[]> {
  const limit = onlineBlockLimit(matcher);
  const blocks: string[][] = [];
  for (const key of matcher.blockingKeys(record)) {
    const found = await index.lookup(key, limit + 1);
    if (found.length > limit) continue;
    blocks.push(found.filter((id) => id !== record.id));
  }
  const ids = sharedByBlocks(blocks, requiredSharedBlocks(matcher, blocks.length));
  if (ids.length === 0) return [];
  return scoreCandidates(record, await index.get(ids), matcher);
}

/**
 * Scores `others` (raw, or normalized already as stored) against `record`: match and possible
 * decisions, best first; equal scores in record id order, so the decision never depends on the order
 * a query returned the candidates in.
 */
export function scoreCandidates(
  record: MatchRecord | NormalizedCandidate,
  others: (MatchRecord | NormalizedCandidate)[],
  matcher: Matcher,
): Candidate[] {
  const ordered = [...others].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Non-matching pairs (most candidates) are decided without building their evidence.
  return matcher
    .candidatesAgainst(record, ordered)
    .map((c) => ({ id: ordered[c.index].id, result: c.result }));
}

/** Blocking index in memory, with value counts for term-frequency adjustments. */
export class InMemoryBlockingIndex implements BlockingIndex {
  private readonly records = new Map<string, MatchRecord>();
  private readonly keysOf = new Map<string, string[]>();
  private readonly postings = new Map<string, Set<string>>();
  private readonly counts = new Map<string, number>();
  private readonly present = new Map<FieldName, number>();
  private readonly sumSquares = new Map<FieldName, number>();

  constructor(private readonly matcher: Matcher) {}

  get size(): number {
    return this.records.size;
  }

  add(record: MatchRecord): void {
    this.remove(record.id);
    this.records.set(record.id, record);
    const keys = this.matcher.blockingKeys(record).map((k) => `${k.key}\u0000${k.value}`);
    this.keysOf.set(record.id, keys);
    for (const k of keys) {
      let set = this.postings.get(k);
      if (!set) this.postings.set(k, (set = new Set()));
      set.add(record.id);
    }
    this.count(record, +1);
  }

  remove(id: string): void {
    const old = this.records.get(id);
    if (!old) return;
    for (const k of this.keysOf.get(id) ?? []) this.postings.get(k)?.delete(id);
    this.count(old, -1);
    this.records.delete(id);
    this.keysOf.delete(id);
  }

  lookup(key: BlockingKey, limit: number): string[] {
    const set = this.postings.get(`${key.key}\u0000${key.value}`);
    if (!set) return [];
    const out: string[] = [];
    for (const id of set) {
      if (out.length >= limit) break;
      out.push(id);
    }
    return out;
  }

  get(ids: string[]): MatchRecord[] {
    return ids.flatMap((id) => {
      const r = this.records.get(id);
      return r ? [r] : [];
    });
  }

  /** Term-frequency adjustment from the indexed records' value counts (pass to createMatcher). */
  termFrequency = (field: FieldName, valueKey: string): number => {
    const n = this.present.get(field) ?? 0;
    const c = this.counts.get(`${field}\u0000${valueKey}`) ?? 0;
    if (n < 2 || c === 0) return 0;
    const s = (this.sumSquares.get(field) ?? 0) / (n * n);
    return tfAdjustment(c / n, s, this.matcher.rules.termFrequency.maxAdjustment);
  };

  private count(record: MatchRecord, delta: 1 | -1): void {
    for (const [field, key] of this.matcher.frequencyKeys(record)) {
      const k = `${field}\u0000${key}`;
      const before = this.counts.get(k) ?? 0;
      const after = before + delta;
      this.counts.set(k, after);
      // Keep the sum of squared counts current, so the average agreement needs no full scan.
      this.sumSquares.set(field, (this.sumSquares.get(field) ?? 0) + after * after - before * before);
      this.present.set(field, (this.present.get(field) ?? 0) + delta);
    }
  }
}
