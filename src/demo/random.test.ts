import { describe, expect, it } from 'vitest';
import { Random, hashString } from './random';

const take = (rng: Random, n: number) => Array.from({ length: n }, () => rng.nextUint32());

describe('Random (the demo PRNG)', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    expect(take(new Random(42), 20)).toEqual(take(new Random(42), 20));
    expect(take(new Random(42), 20)).not.toEqual(take(new Random(43), 20));
  });

  it('forks streams that depend only on the seed and the label, not on what the parent drew', () => {
    const a = new Random(9);
    const b = new Random(9);
    take(b, 100);
    expect(take(a.fork('x'), 10)).toEqual(take(b.fork('x'), 10));
    expect(take(a.fork('x'), 10)).not.toEqual(take(a.fork('y'), 10));
    expect(hashString('x')).not.toBe(hashString('y'));
  });

  it('draws integers in the inclusive range, reaching both ends, and floats in [0, 1)', () => {
    const rng = new Random(1);
    const seen = new Set<number>();
    let sum = 0;
    let [low, high] = [1, 0];
    for (let i = 0; i < 10_000; i++) {
      seen.add(rng.int(3, 7));
      const f = rng.next();
      low = Math.min(low, f);
      high = Math.max(high, f);
      sum += f;
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
    expect(low).toBeGreaterThanOrEqual(0);
    expect(high).toBeLessThan(1);
    expect(sum / 10_000).toBeGreaterThan(0.48);
    expect(sum / 10_000).toBeLessThan(0.52);
  });

  it('picks, samples, shuffles and weighs without inventing or losing items', () => {
    const rng = new Random(5);
    const items = ['a', 'b', 'c', 'd', 'e'];
    expect([...rng.shuffle(items)].sort()).toEqual(items);
    const sample = rng.sample(items, 3);
    expect(new Set(sample).size).toBe(3);
    expect(rng.sample(items, 10)).toHaveLength(5);
    expect(items).toContain(rng.pick(items));
    expect(() => rng.pick([])).toThrow();
    expect(rng.chance(0)).toBe(false);
    expect(rng.chance(1)).toBe(true);
    const counts = { rare: 0, common: 0 };
    for (let i = 0; i < 2000; i++)
      counts[
        rng.weighted([
          ['rare', 1],
          ['common', 9],
        ] as const)
      ]++;
    expect(counts.common).toBeGreaterThan(counts.rare * 5);
    expect(rng.digits(6)).toMatch(/^\d{6}$/);
    expect(rng.hex(8)).toMatch(/^[0-9a-f]{8}$/);
  });
});
