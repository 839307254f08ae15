import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../prng';
import { Column } from '../table/column';
import { jaroWinkler, jaroWinklerAtLeast, loosestJaroNeeded } from './jaro-winkler';

/**
 * jaroWinklerAtLeast answers "no" early from bounds (lengths, shared characters, common prefix); it must
 * agree with the full similarity on every pair and threshold, close calls included.
 */
describe('jaroWinklerAtLeast', () => {
  const random = mulberry32(11);
  const alphabet = 'AEIMNORST0123 ';
  const word = (length: number) =>
    Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const mutate = (s: string) => {
    const chars = [...s];
    const edits = 1 + Math.floor(random() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * (chars.length + 1));
      const kind = random();
      if (kind < 0.4) chars.splice(at, 1);
      else if (kind < 0.7) chars.splice(at, 0, alphabet[Math.floor(random() * alphabet.length)]);
      else if (at + 1 < chars.length) [chars[at], chars[at + 1]] = [chars[at + 1], chars[at]];
    }
    return chars.join('');
  };
  const thresholds = [0.5, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.95, 0.99, 1];

  it('agrees with jaroWinkler >= threshold on related and unrelated strings', () => {
    let accepted = 0;
    let rejected = 0;
    for (let n = 0; n < 20_000; n++) {
      const a = word(1 + Math.floor(random() * 20));
      const b = random() < 0.7 ? mutate(a) : word(1 + Math.floor(random() * 20));
      const jw = jaroWinkler(a, b);
      for (const t of thresholds) {
        const expected = jw >= t;
        if (jaroWinklerAtLeast(a, b, t) !== expected) expect({ a, b, t, jw }).toBe(expected);
        if (expected) accepted++;
        else rejected++;
      }
    }
    expect(accepted).toBeGreaterThan(20_000);
    expect(rejected).toBeGreaterThan(20_000);
  });

  it('the character-count bound of a column never turns away a pair that reaches the threshold', () => {
    const column = new Column('address');
    const ids: number[] = [];
    for (let n = 0; n < 400; n++) {
      const base = word(8 + Math.floor(random() * 14));
      ids.push(column.intern(base), column.intern(mutate(base)));
    }
    let turnedAway = 0;
    let close = 0;
    for (let x = 0; x < ids.length; x++)
      for (let y = x + 1; y < Math.min(ids.length, x + 40); y++) {
        const [a, b] = [ids[x], ids[y]];
        if (a === b) continue;
        const jw = jaroWinkler(column.values[a], column.values[b]);
        for (const t of [0.8, 0.9]) {
          const may = column.mayBeJaroClose(a, b, loosestJaroNeeded(t));
          if (jw >= t) {
            close++;
            expect(may).toBe(true);
          } else if (!may) turnedAway++;
        }
      }
    expect(close).toBeGreaterThan(300);
    expect(turnedAway).toBeGreaterThan(5_000);
  });

  it('keeps the Winkler lift of a shared prefix: MARTHA and MARHTA at 0.96', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.9611, 4);
    expect(jaroWinklerAtLeast('MARTHA', 'MARHTA', 0.96)).toBe(true);
    expect(jaroWinklerAtLeast('MARTHA', 'MARHTA', 0.97)).toBe(false);
    expect(jaroWinklerAtLeast('XMARTHA', 'YMARHTA', 0.9)).toBe(jaroWinkler('XMARTHA', 'YMARHTA') >= 0.9);
  });
});
