import { createHash } from 'node:crypto';
import type { BlockingKey, Matcher } from '../matcher';
import type { NormalizedRecord } from '../normalize/record';
import type { FieldName, MatchRecord } from '../types';

/** What a Patient write derives from its match record: blocking keys, their lock ids, value-count keys. */
export interface RecordKeys {
  keys: BlockingKey[];
  /** Advisory lock ids of the keys, sorted and distinct (signed 64-bit, as text). */
  locks: string[];
  frequency: [FieldName, string][];
  /** The record normalized (stored beside it, see normalize/stored-form.ts). */
  normalized: NormalizedRecord;
}

/** A signed 64-bit advisory lock id for one blocking key value. */
function lockId(key: string, value: string): string {
  return createHash('sha256')
    .update(`identity\u0000${key}\u0000${value}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
}

/** Advisory lock ids of these blocking keys, sorted, so two writers take them in one order and never deadlock. */
export function lockIds(keys: { key: string; value: string }[]): string[] {
  return [...new Set(keys.map((k) => lockId(k.key, k.value)))].sort();
}

const MEMO_SIZE = 1024;
const memos = new WeakMap<Matcher, Map<string, RecordKeys>>();

/**
 * The keys of a match record, computed once per record content: a Patient write needs them before
 * its version is written (key locks ridden with it), after (candidates, stored keys, value counts),
 * and a transaction Bundle again for its key locks; each derivation normalizes the record anew. A
 * small per-matcher memo keyed by the record's JSON hands them from one step to the next (the
 * result is a function of the record and the rules only). Callers must not change the arrays.
 */
export function recordKeys(matcher: Matcher, record: MatchRecord): RecordKeys {
  let memo = memos.get(matcher);
  if (!memo) memos.set(matcher, (memo = new Map()));
  const id = JSON.stringify(record);
  const hit = memo.get(id);
  if (hit) return hit;
  const { keys, frequency, normalized } = matcher.recordKeys(record);
  const out: RecordKeys = { keys, locks: lockIds(keys), frequency, normalized };
  if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value as string);
  memo.set(id, out);
  return out;
}
