/**
 * Posting lists of blocking-key values in typed arrays, for BulkResolver: one block per (key, value),
 * holding the table indices of the records with that value until it reaches the online block limit,
 * when it is FULL (skipped for every later record: blocks only grow). At millions of records a
 * `Map<number, number[]>` per key held millions of small arrays and heap numbers (the key values are
 * unsigned 32-bit, half of them outside the small-integer range) that every major GC had to mark.
 */

/** Nodes of singly linked posting lists, shared by every key's blocks. */
export class PostingPool {
  /** Table index of the record at each node. */
  record = new Int32Array(1 << 16);
  /** The next node of the same block, or -1. */
  next = new Int32Array(1 << 16);
  private used = 0;

  /** A new node for `record` before `next`. */
  push(record: number, next: number): number {
    if (this.used === this.record.length) {
      const size = this.record.length * 2;
      const records = new Int32Array(size);
      records.set(this.record);
      this.record = records;
      const nexts = new Int32Array(size);
      nexts.set(this.next);
      this.next = nexts;
    }
    this.record[this.used] = record;
    this.next[this.used] = next;
    return this.used++;
  }
}

/** Size of a block that reached the limit. */
const FULL = -1;

/** One blocking key's blocks: an open-addressing table from value to (size, first node). */
export class BlockPostings {
  private values = new Int32Array(1 << 12);
  /** Records in the block; 0 marks an empty slot, FULL a full block. */
  private sizes = new Int32Array(1 << 12);
  private heads = new Int32Array(1 << 12);
  private used = 0;

  constructor(private readonly pool: PostingPool) {}

  /** First node of the block of `value` (its newest record), or -1 when it is absent or full. */
  head(value: number): number {
    const s = this.slot(value | 0);
    return this.sizes[s] > 0 ? this.heads[s] : -1;
  }

  /** True when the block of `value` reached the limit (skipped online). */
  isFull(value: number): boolean {
    return this.sizes[this.slot(value | 0)] === FULL;
  }

  /** Adds `record` to the block of `value`; a block reaching `limit` records becomes FULL. */
  add(value: number, record: number, limit: number): void {
    const v = value | 0;
    let s = this.slot(v);
    const size = this.sizes[s];
    if (size === FULL) return;
    if (size + 1 >= limit) {
      if (size === 0) s = this.claim(v);
      this.sizes[s] = FULL;
      return;
    }
    if (size === 0) {
      s = this.claim(v);
      this.heads[s] = this.pool.push(record, -1);
    } else this.heads[s] = this.pool.push(record, this.heads[s]);
    this.sizes[s] = size + 1;
  }

  /** The slot holding `v`, or the empty slot where it would go. */
  private slot(v: number): number {
    const mask = this.values.length - 1;
    // Values are already hashes (block/key-parts mix).
    let s = v & mask;
    while (this.sizes[s] !== 0 && this.values[s] !== v) s = (s + 1) & mask;
    return s;
  }

  /** Takes an empty slot for `v` (growing the table first when half full). */
  private claim(v: number): number {
    if (2 * (this.used + 1) > this.values.length) this.rehash();
    this.used++;
    const s = this.slot(v);
    this.values[s] = v;
    return s;
  }

  private rehash(): void {
    const { values, sizes, heads } = this;
    const size = values.length * 2;
    this.values = new Int32Array(size);
    this.sizes = new Int32Array(size);
    this.heads = new Int32Array(size);
    for (let s = 0; s < values.length; s++) {
      if (sizes[s] === 0) continue;
      const t = this.slot(values[s]);
      this.values[t] = values[s];
      this.sizes[t] = sizes[s];
      this.heads[t] = heads[s];
    }
  }
}
