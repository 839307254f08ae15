import type { MatchRules } from '../rules/schema';
import type { RecordTable } from '../table/record-table';
import type { BuiltKey, KeyExchange } from './key-exchange';
import { hashString, keyPart, keyValues, mix, type PartFn } from './key-parts';

/**
 * Candidate pairs from several blocking keys. Each key groups records whose key values agree (sorting packed
 * hash+index numbers, no per-block objects); a pair is emitted once, by the first key that groups it, so
 * keys can overlap freely and a typo that breaks one key is caught by another. Blocks above
 * `maxBlockSize` are skipped and counted: a huge block ("Garcia" born 1980) is exactly where blocking
 * buys nothing, and the other keys still reach its true pairs.
 */
export interface KeyStats {
  name: string;
  blocks: number;
  /** Pairs this key emitted that no earlier key had. */
  pairs: number;
  skippedBlocks: number;
  skippedRecords: number;
  largestBlock: number;
}

export interface BlockingStats {
  records: number;
  candidatePairs: number;
  keys: KeyStats[];
}

export interface BlockingOptions {
  /** true: only pairs of records from different sources (linking two files); false: all pairs. */
  crossSourceOnly: boolean;
  /**
   * In blocks larger than this, pair only records that agree on one of the key's refine parts (default the
   * birth year), a record without a value in a part agreeing with everyone on it (rules' refineAbove).
   */
  refineAbove?: number;
  onProgress?: (message: string) => void;
  /**
   * Enumerate only the blocks of one share (block value modulo `of` equals `index`), so that threads can
   * split the pairs with none lost or doubled: every share still indexes every key and knows every skipped
   * block, so "emitted already by an earlier key" is decided the same way in each.
   */
  share?: { index: number; of: number };
  /** With shares on several threads: split the building of the key indexes between them. */
  exchange?: KeyExchange;
}

interface KeyIndex {
  name: string;
  /** Record i's values: values[start[i] .. start[i+1]). */
  start: Int32Array;
  values: Uint32Array;
  skipped: Set<number>;
}

/** Compiled key: its name and part functions, reusable by the online path. */
export interface CompiledKey {
  name: string;
  salt: number;
  parts: PartFn[];
  /** Batch only: the parts that refine a block larger than refineAbove (see BlockingKeyRule.refine). */
  refine: { name: string; fn: PartFn }[];
  /** Batch only: this key's own refinement threshold, if it has one (else the options' refineAbove). */
  refineAbove?: number;
}

/** The refinement of a key that names none (rules before 1.5.0 refined every key by birth year). */
const DEFAULT_REFINE = ['birthDate.year'];

export function compileKeys(rules: MatchRules, table: RecordTable): CompiledKey[] {
  const shared = new Map<string, PartFn>();
  return rules.blocking.keys.map((k) => ({
    name: k.name,
    salt: hashString(k.name),
    parts: k.parts.map((p) => keyPart(table, p, shared)),
    refine: (k.refine ?? DEFAULT_REFINE).map((p) => ({ name: p, fn: keyPart(table, p, shared) })),
    refineAbove: k.refineAbove,
  }));
}

/** Each record's values of one key part (start/values as in KeyIndex); `slot`: its column in refineValues. */
interface PartIndex {
  start: Int32Array;
  values: Uint32Array;
  slot: number;
}

/** Do records i and j agree on refine part `p`: a value shared, or none on one side? */
function agreesOn(p: PartIndex, i: number, j: number): boolean {
  const { start, values } = p;
  const si = start[i];
  const ei = start[i + 1];
  const sj = start[j];
  const ej = start[j + 1];
  if (si === ei || sj === ej) return true;
  for (let x = si; x < ei; x++) for (let y = sj; y < ej; y++) if (values[x] === values[y]) return true;
  return false;
}

/**
 * Do records i and j agree on at least one refine part? A record with no value in a part (no birth date)
 * agrees with every record on it, as the one-part refinement by birth year always did. `first`: every
 * part's value per record, `width` parts a record (see fillFirstValues).
 */
function refineAgrees(parts: PartIndex[], first: Uint32Array, width: number, i: number, j: number): boolean {
  for (let r = 0; r < parts.length; r++) {
    const a = first[i * width + parts[r].slot];
    const b = first[j * width + parts[r].slot];
    if (a === NO_VALUE || b === NO_VALUE) return true;
    if (a === READ_INDEX || b === READ_INDEX) {
      if (agreesOn(parts[r], i, j)) return true;
    } else if (a === b) return true;
  }
  return false;
}

function buildIndex(key: CompiledKey, n: number, shift: number): KeyIndex {
  const start = new Int32Array(n + 1);
  let values = new Uint32Array(n + 16);
  let count = 0;
  const parts = key.parts;
  for (let i = 0; i < n; i++) {
    // Nearly every record has one value per part: hash it straight in, without keyValues' arrays.
    let h = key.salt;
    let p = 0;
    for (; p < parts.length; p++) {
      const v = parts[p](i);
      if (v.length !== 1) break;
      h = mix(h, v[0]);
    }
    if (p === parts.length) {
      if (count === values.length) {
        const grown = new Uint32Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      values[count++] = h >>> shift;
      start[i + 1] = count;
      continue;
    }
    const vals = keyValues(parts, i, key.salt);
    if (count + vals.length > values.length) {
      const grown = new Uint32Array(Math.max(values.length * 2, count + vals.length));
      grown.set(values);
      values = grown;
    }
    for (const v of vals) values[count++] = v >>> shift;
    start[i + 1] = count;
  }
  return { name: key.name, start, values: values.subarray(0, count), skipped: new Set() };
}

/** Does key index `k` group records i and j through a value other than a skipped one, below `below`? */
function sharedBelow(k: KeyIndex, i: number, j: number, below: number): boolean {
  for (let x = k.start[i]; x < k.start[i + 1]; x++) {
    const v = k.values[x];
    if (v >= below || k.skipped.has(v)) continue;
    for (let y = k.start[j]; y < k.start[j + 1]; y++) if (k.values[y] === v) return true;
  }
  return false;
}

/** In `firstValues`: the record has no value in the key. */
const NO_VALUE = 0xffffffff;
/** In `firstValues`: the record has several values (or one equal to a marker): read its KeyIndex. */
const READ_INDEX = 0xfffffffe;

/**
 * Each record's value of each key, record by record (see forEachCandidatePair): whether a pair was emitted
 * by an earlier key is then decided from one run of memory per record, not one cache line per key.
 */
function fillFirstValues(
  idx: { start: Int32Array; values: Uint32Array },
  column: number,
  width: number,
  n: number,
  out: Uint32Array,
): void {
  for (let i = 0; i < n; i++) {
    const s = idx.start[i];
    const e = idx.start[i + 1];
    let v = NO_VALUE;
    if (e - s === 1) v = idx.values[s] >= READ_INDEX ? READ_INDEX : idx.values[s];
    else if (e - s > 1) v = READ_INDEX;
    out[i * width + column] = v;
  }
}

/**
 * Calls `onPair(i, j)` (i < j) once for every candidate pair; returns the counts per key.
 */
export function forEachCandidatePair(
  table: RecordTable,
  keys: CompiledKey[],
  maxBlockSize: number,
  options: BlockingOptions,
  onPair: (i: number, j: number) => void,
): BlockingStats {
  const n = table.size;
  const recBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const hashBits = Math.min(32, 53 - recBits);
  const shift = 32 - hashBits;
  const recScale = 2 ** recBits;
  const source = table.source;
  const refineAbove = options.refineAbove ?? Infinity;
  // Values of each refine part per record, built when a key first needs it and shared between keys.
  const partIndexes = new Map<string, PartIndex>();
  const refineNames = [...new Set(keys.flatMap((k) => k.refine.map((r) => r.name)))];
  const refineValues = new Uint32Array(n * refineNames.length);
  const partIndex = (part: { name: string; fn: PartFn }): PartIndex => {
    let idx = partIndexes.get(part.name);
    if (idx === undefined) {
      const built = buildIndex({ name: part.name, salt: 0, parts: [part.fn], refine: [] }, n, 0);
      idx = { start: built.start, values: built.values, slot: refineNames.indexOf(part.name) };
      fillFirstValues(idx, idx.slot, refineNames.length, n, refineValues);
      partIndexes.set(part.name, idx);
    }
    return idx;
  };
  const shares = options.share?.of ?? 1;
  const shareIndex = options.share?.index ?? 0;
  const done: KeyIndex[] = [];
  const width = keys.length;
  const firstValues = new Uint32Array(n * width);
  /** Did key `d` (done) emit the pair of records i and j: do they share a value of it, not a skipped one? */
  const emittedBy = (d: number, i: number, j: number): boolean => {
    const a = firstValues[i * width + d];
    const b = firstValues[j * width + d];
    if (a === READ_INDEX || b === READ_INDEX) return sharedBelow(done[d], i, j, 0x100000000);
    return a === b && a !== NO_VALUE && !done[d].skipped.has(a);
  };
  const stats: KeyStats[] = [];
  let total = 0;

  /** Key k's index and its (value, record) numbers sorted: built here, or taken from another thread. */
  const exchange = options.exchange;
  const build = (k: number): BuiltKey => {
    const idx = buildIndex(keys[k], n, shift);
    const sorted = new Float64Array(idx.values.length);
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let x = idx.start[i]; x < idx.start[i + 1]; x++) sorted[p++] = idx.values[x] * recScale + i;
    }
    sorted.sort();
    return { key: k, start: idx.start, values: idx.values, sorted };
  };
  const own = new Map<number, BuiltKey>();
  if (exchange)
    for (let k = 0; k < keys.length; k++) {
      if (!exchange.owns(k)) continue;
      const built = build(k);
      exchange.send(built);
      own.set(k, built);
    }

  for (const [k, key] of keys.entries()) {
    const built = own.get(k) ?? exchange?.take(k) ?? build(k);
    own.delete(k);
    const idx: KeyIndex = { name: key.name, start: built.start, values: built.values, skipped: new Set() };
    const column = done.length;
    fillFirstValues(idx, column, width, n, firstValues);
    const st: KeyStats = {
      name: key.name,
      blocks: 0,
      pairs: 0,
      skippedBlocks: 0,
      skippedRecords: 0,
      largestBlock: 0,
    };
    const packed = built.sorted;
    const members: number[] = [];
    let g = 0;
    while (g < packed.length) {
      const value = Math.floor(packed[g] / recScale);
      let e = g;
      while (e < packed.length && Math.floor(packed[e] / recScale) === value) e++;
      const size = e - g;
      const mine = value % shares === shareIndex;
      if (size > maxBlockSize) idx.skipped.add(value);
      if (size < 2 || !mine) {
        g = e;
        continue;
      }
      members.length = 0;
      for (let x = g; x < e; x++) members.push(packed[x] - value * recScale);
      g = e;
      if (size > maxBlockSize) {
        st.skippedBlocks++;
        st.skippedRecords += members.length;
        continue;
      }
      st.blocks++;
      if (members.length > st.largestBlock) st.largestBlock = members.length;
      const refine = members.length > (key.refineAbove ?? refineAbove) ? key.refine.map(partIndex) : null;
      for (let a = 0; a < members.length; a++) {
        const i = members[a];
        for (let b = a + 1; b < members.length; b++) {
          const j = members[b];
          if (options.crossSourceOnly && source[i] === source[j]) continue;
          if (refine !== null && !refineAgrees(refine, refineValues, refineNames.length, i, j)) continue;
          // Emitted already by an earlier key, or by a smaller shared value of this key.
          // (Records with one value each share only `value`.)
          let seen =
            firstValues[i * width + column] === READ_INDEX &&
            firstValues[j * width + column] === READ_INDEX &&
            sharedBelow(idx, i, j, value);
          for (let d = 0; !seen && d < column; d++) seen = emittedBy(d, i, j);
          if (seen) continue;
          st.pairs++;
          onPair(i, j);
        }
      }
    }
    total += st.pairs;
    stats.push(st);
    done.push(idx);
    options.onProgress?.(`blocking key ${key.name}: ${st.pairs} new candidate pairs (${total} in all)`);
  }
  return { records: n, candidatePairs: total, keys: stats };
}
