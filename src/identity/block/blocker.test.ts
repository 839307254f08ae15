import { describe, expect, it } from 'vitest';
import { defaultRules } from '../rules';
import { RecordTable } from '../table/record-table';
import { compileKeys, forEachCandidatePair } from './blocker';
import { keyPart } from './key-parts';

/**
 * Refinement of large blocks (rules' blocking.refineAbove, batch only): in a block above the limit only
 * records born in the same year, or with no birth date, are paired; smaller blocks pair everyone.
 */
describe('blocking', () => {
  const rules = {
    ...defaultRules,
    blocking: { ...defaultRules.blocking, keys: [{ name: 'postal', parts: ['postalCode'] }] },
  };
  const tableOf = (count: number): RecordTable => {
    const table = new RecordTable();
    for (let i = 0; i < count; i++) {
      // Years 1970-1973 in turn; every tenth record has no birth date.
      const birthDate = i % 10 === 9 ? '' : `${1970 + (i % 4)}-03-0${1 + (i % 7)}`;
      table.add({ id: `r${i}`, given: `Name${i}`, family: 'Doe', postalCode: '94545', birthDate }, 0, 2025);
    }
    return table;
  };
  const pairsOf = (table: RecordTable, refineAbove?: number): [number, number][] => {
    const out: [number, number][] = [];
    forEachCandidatePair(
      table,
      compileKeys(rules, table),
      500,
      { crossSourceOnly: false, refineAbove },
      (i, j) => out.push([i, j]),
    );
    return out;
  };
  const year = (table: RecordTable, i: number): number => {
    const id = table.columns.birthDate.ids[i];
    return id < 0 ? 0 : Math.floor(table.columns.birthDate.dates[id] / 10000);
  };

  it('pairs everyone in a block at or below the limit', () => {
    const table = tableOf(40);
    expect(pairsOf(table, 50)).toHaveLength((40 * 39) / 2);
  });

  it('pairs only same-year or undated records in a block above the limit', () => {
    const table = tableOf(80);
    const pairs = pairsOf(table, 50);
    expect(pairs.length).toBeLessThan((80 * 79) / 2);
    for (const [i, j] of pairs) {
      const [a, b] = [year(table, i), year(table, j)];
      expect(a === b || a === 0 || b === 0).toBe(true);
    }
    let expected = 0;
    for (let i = 0; i < 80; i++)
      for (let j = i + 1; j < 80; j++) {
        const [a, b] = [year(table, i), year(table, j)];
        if (a === b || a === 0 || b === 0) expected++;
      }
    expect(pairs).toHaveLength(expected);
    expect(new Set(pairs.map(String)).size).toBe(pairs.length);
    expect(pairsOf(table)).toHaveLength((80 * 79) / 2);
  });

  it("refines by a key's own parts above its own limit: a pair must agree on one of them", () => {
    const table = new RecordTable();
    for (let i = 0; i < 60; i++) {
      // One family sound and birth year; months 1-4 and given initials A-C in turn; every tenth undated.
      const birthDate = i % 10 === 9 ? '' : `1970-0${1 + (i % 4)}-0${1 + (i % 7)}`;
      const given = `${'ABC'[i % 3]}name${i}`;
      table.add({ id: `r${i}`, given, family: 'Doe', postalCode: '94545', birthDate }, 0, 2025);
    }
    const keyed = (refineAbove: number) => ({
      ...defaultRules,
      blocking: {
        ...defaultRules.blocking,
        keys: [
          {
            name: 'postal',
            parts: ['postalCode'],
            refine: ['birthDate.month', 'given.initial'],
            refineAbove,
          },
        ],
      },
    });
    const pairs = (refineAbove: number): [number, number][] => {
      const out: [number, number][] = [];
      forEachCandidatePair(
        table,
        compileKeys(keyed(refineAbove), table),
        500,
        { crossSourceOnly: false, refineAbove: 50 },
        (i, j) => out.push([i, j]),
      );
      return out;
    };
    // The key's own limit (70) wins over the options' (50): the block of 60 is not refined.
    expect(pairs(70)).toHaveLength((60 * 59) / 2);
    const month = (i: number): number => (i % 10 === 9 ? 0 : 1 + (i % 4));
    const agree = (i: number, j: number): boolean =>
      month(i) === 0 || month(j) === 0 || month(i) === month(j) || i % 3 === j % 3;
    let expected = 0;
    for (let i = 0; i < 60; i++) for (let j = i + 1; j < 60; j++) if (agree(i, j)) expected++;
    const refined = pairs(20);
    expect(refined).toHaveLength(expected);
    expect(expected).toBeLessThan((60 * 59) / 2);
    for (const [i, j] of refined) expect(agree(i, j)).toBe(true);
    expect(new Set(refined.map(String)).size).toBe(refined.length);
  });

  it('refines by parts with several values per record: each agreeing pair once, and only those', () => {
    // Compound surnames give a phonetic code per word and one of the whole name: records share a code when
    // they share a word. Every eleventh record has no surname at all (no value: agrees with everyone).
    const surnames = ['Garcia Lopez', 'Garcia', 'Lopez', 'Smith', 'Lopez Smith', 'Nguyen', 'Garcia Nguyen'];
    const table = new RecordTable();
    for (let i = 0; i < 90; i++) {
      const family = i % 11 === 10 ? '' : surnames[i % surnames.length];
      table.add({ id: `r${i}`, given: `Name${i}`, family, postalCode: '94545', birthDate: '' }, 0, 2025);
    }
    const keyed = {
      ...defaultRules,
      blocking: {
        ...defaultRules.blocking,
        keys: [{ name: 'postal', parts: ['postalCode'], refine: ['family.phonetic'], refineAbove: 20 }],
      },
    };
    const out: [number, number][] = [];
    forEachCandidatePair(table, compileKeys(keyed, table), 500, { crossSourceOnly: false }, (i, j) =>
      out.push([i, j]),
    );
    const codes = keyPart(table, 'family.phonetic');
    const agree = (i: number, j: number): boolean => {
      const [a, b] = [codes(i), codes(j)];
      return a.length === 0 || b.length === 0 || a.some((c) => b.includes(c));
    };
    const expected: string[] = [];
    for (let i = 0; i < 90; i++) for (let j = i + 1; j < 90; j++) if (agree(i, j)) expected.push(`${i},${j}`);
    expect(codes(0).length).toBeGreaterThan(1);
    expect(expected.length).toBeLessThan((90 * 89) / 2);
    expect(out.map(String).sort()).toEqual(expected.sort());
  });
});
