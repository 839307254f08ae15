import { describe, expect, it } from 'vitest';
import { BlockPostings, PostingPool } from './block-postings';

const recordsOf = (pool: PostingPool, postings: BlockPostings, value: number): number[] => {
  const out: number[] = [];
  for (let p = postings.head(value); p !== -1; p = pool.next[p]) out.push(pool.record[p]);
  return out.sort((a, b) => a - b);
};

describe('BlockPostings', () => {
  it('keeps each value its records, as a Map of arrays would, until the block limit makes it full', () => {
    const pool = new PostingPool();
    const keys = [new BlockPostings(pool), new BlockPostings(pool)];
    const limit = 5;
    const model = [new Map<number, number[] | 'full'>(), new Map<number, number[] | 'full'>()];
    // Unsigned 32-bit values (as key-parts mix gives), few enough that blocks fill, enough to rehash.
    let seed = 12345;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const values = Array.from({ length: 20_000 }, () => random());
    for (let i = 0; i < 100_000; i++) {
      const k = i % 2;
      const v = values[random() % values.length];
      const block = model[k].get(v) ?? [];
      if (block !== 'full') model[k].set(v, block.length + 1 >= limit ? 'full' : [...block, i]);
      keys[k].add(v, i, limit);
    }
    let full = 0;
    for (let k = 0; k < 2; k++)
      for (const v of values) {
        const want = model[k].get(v);
        if (want === 'full') full++;
        expect(recordsOf(pool, keys[k], v)).toEqual(want === undefined || want === 'full' ? [] : want);
      }
    expect(full).toBeGreaterThan(0);
    expect(recordsOf(pool, keys[0], values[0] ^ 1)).toEqual([]);
  });
});
