/**
 * Comparison patterns (non-negative integers packed into doubles, see RecordComparer.pattern) and how many
 * pairs have each: an open-addressing table over typed arrays. Tens of millions of pairs are counted and
 * looked up by pattern; a Map keyed by a double would box a number for every call.
 */
const EMPTY = -1;

export class PatternCounts {
  private keys: Float64Array;
  private values: Float64Array;
  private mask: number;
  /** Distinct patterns held. */
  size = 0;

  constructor(bits = 12) {
    this.keys = new Float64Array(1 << bits).fill(EMPTY);
    this.values = new Float64Array(1 << bits);
    this.mask = (1 << bits) - 1;
  }

  private slotOf(pattern: number): number {
    const h = Math.imul(
      (pattern >>> 0) ^ Math.imul(Math.floor(pattern / 4294967296), 0x85ebca6b),
      0x9e3779b1,
    );
    let s = (h ^ (h >>> 15)) & this.mask;
    for (;;) {
      const k = this.keys[s];
      if (k === pattern || k === EMPTY) return s;
      s = (s + 1) & this.mask;
    }
  }

  /** Adds `count` pairs with `pattern`. */
  add(pattern: number, count = 1): void {
    const s = this.slotOf(pattern);
    if (this.keys[s] === pattern) {
      this.values[s] += count;
      return;
    }
    this.keys[s] = pattern;
    this.values[s] = count;
    if (++this.size * 2 > this.mask) this.grow();
  }

  /** The count of `pattern`, or `absent`. */
  get(pattern: number, absent = 0): number {
    const s = this.slotOf(pattern);
    return this.keys[s] === pattern ? this.values[s] : absent;
  }

  /** The patterns in ascending order (the same for any order of adding) and their counts. */
  entries(): { patterns: Float64Array; counts: Float64Array } {
    const patterns = new Float64Array(this.size);
    let at = 0;
    for (let s = 0; s < this.keys.length; s++) if (this.keys[s] !== EMPTY) patterns[at++] = this.keys[s];
    patterns.sort();
    return { patterns, counts: patterns.map((p) => this.get(p)) };
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Float64Array(keys.length * 2).fill(EMPTY);
    this.values = new Float64Array(keys.length * 2);
    this.mask = keys.length * 2 - 1;
    for (let s = 0; s < keys.length; s++) {
      if (keys[s] === EMPTY) continue;
      const t = this.slotOf(keys[s]);
      this.keys[t] = keys[s];
      this.values[t] = values[s];
    }
  }
}
