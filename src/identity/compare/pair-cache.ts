/**
 * A fixed-size open-addressing cache from an unordered pair of value ids to a comparison level. Candidate
 * pairs repeat the same name pairs over and over (every "JOHN" vs "JON" in a block); a JavaScript Map keyed
 * by a 52-bit number would allocate a heap number per lookup, this uses two typed arrays and no allocation.
 * When it fills up to half its slots it is simply cleared: it is a cache, not a store.
 */
export class PairCache {
  private readonly keysA: Int32Array;
  private readonly keysB: Int32Array;
  private readonly levels: Int8Array;
  private readonly mask: number;
  private used = 0;

  constructor(bits = 20) {
    const size = 1 << bits;
    this.keysA = new Int32Array(size).fill(-1);
    this.keysB = new Int32Array(size);
    this.levels = new Int8Array(size);
    this.mask = size - 1;
  }

  private slot(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 16;
    return h & this.mask;
  }

  /** Level cached for (a, b), or -1. Callers pass a <= b. */
  get(a: number, b: number): number {
    let s = this.slot(a, b);
    for (;;) {
      const ka = this.keysA[s];
      if (ka === -1) return -1;
      if (ka === a && this.keysB[s] === b) return this.levels[s];
      s = (s + 1) & this.mask;
    }
  }

  set(a: number, b: number, level: number): void {
    if (this.used * 2 >= this.mask) {
      this.keysA.fill(-1);
      this.used = 0;
    }
    let s = this.slot(a, b);
    while (this.keysA[s] !== -1) {
      if (this.keysA[s] === a && this.keysB[s] === b) return;
      s = (s + 1) & this.mask;
    }
    this.keysA[s] = a;
    this.keysB[s] = b;
    this.levels[s] = level;
    this.used++;
  }
}
