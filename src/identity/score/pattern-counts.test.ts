import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../prng';
import { PatternCounts } from './pattern-counts';

describe('pattern counts', () => {
  it('counts like a Map through growth, and lists patterns in ascending order whatever the order added', () => {
    const random = mulberry32(3);
    // Patterns as RecordComparer packs them: integers far above 2^32.
    const distinct = Array.from({ length: 5_000 }, () => Math.floor(random() * 2 ** 45));
    const counts = new PatternCounts(4);
    const reference = new Map<number, number>();
    for (let n = 0; n < 100_000; n++) {
      const p = distinct[Math.floor(random() ** 2 * distinct.length)];
      const c = 1 + Math.floor(random() * 3);
      counts.add(p, c);
      reference.set(p, (reference.get(p) ?? 0) + c);
    }
    expect(counts.size).toBe(reference.size);
    for (const [p, c] of reference) expect(counts.get(p)).toBe(c);
    expect(counts.get(2 ** 46)).toBe(0);
    expect(counts.get(2 ** 46, NaN)).toBeNaN();
    const { patterns, counts: byPattern } = counts.entries();
    expect([...patterns]).toEqual([...reference.keys()].sort((a, b) => a - b));
    expect([...byPattern]).toEqual([...patterns].map((p) => reference.get(p)));
    const reversed = new PatternCounts();
    for (const [p, c] of [...reference].reverse()) reversed.add(p, c);
    expect(reversed.entries()).toEqual(counts.entries());
  });
});
