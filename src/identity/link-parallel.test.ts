import { describe, expect, it } from 'vitest';
import { collectPairs } from './batch-pairs';
import { generatePopulation } from './generator/generate';
import { toMatchRecord } from './generator/write';
import { LinkJob, type LinkResult } from './link-batch';
import { defaultRules } from './rules';
import { RecordTable } from './table/record-table';

/**
 * Batch linkage over threads (LinkJob.runParallel): each thread compares the pairs of its share of the
 * blocks in a copy of the record table, and the result must be the one thread's result exactly: the same
 * candidate pairs, per-key counts, kept pairs, scores and decisions.
 */
const records = generatePopulation({ seed: 5, records: 6_000 }).records.map(toMatchRecord);

const jobOf = (threads: number): LinkJob => {
  const job = new LinkJob(defaultRules, { maxYear: 2025, threads });
  for (const r of records) job.add(r);
  return job;
};

const keptPairs = (r: LinkResult): Map<string, [number, number]> => {
  const out = new Map<string, [number, number]>();
  for (let x = 0; x < r.count; x++) out.set(`${r.a[x]} ${r.b[x]}`, [r.score[x], r.decision[x]]);
  return out;
};

/** Every record's values and the column counts, by value text (value ids differ between tables). */
const tableContent = (t: RecordTable) => {
  const fields = Object.keys(t.columns) as (keyof RecordTable['columns'])[];
  const rows: string[] = [];
  for (let i = 0; i < t.size; i++) {
    const values = fields.map((f) => {
      const c = t.columns[f];
      return c.ids[i] < 0 ? '' : c.values[c.ids[i]];
    });
    const ids = t.identifiersOf(i).map((v) => `${t.identifierSystem[v]}:${t.identifiers.values[v]}`);
    rows.push([t.externalIds[i], t.source[i], ...values, ...ids].join('/'));
  }
  const counts = [...fields, 'identifier' as const].map((f) => {
    const c = t.column(f);
    const byKey = c.keys.map((k, id) => `${k}=${c.keyCounts[id]}`).sort();
    return `${f}:${c.present}:${byKey.join(',')}`;
  });
  return { rows, counts };
};

describe('batch linkage over threads', () => {
  it('normalization split over two threads builds the one-thread table and result', async () => {
    // Some records with identifiers, and two sources, so that every part of the table is interleaved.
    const input = records.map((r, i) => (i % 7 === 0 ? { ...r, identifiers: [`urn:mrn|${i % 50}`] } : r));
    const options = { maxYear: 2025, splitNormalizationAt: 1000, normalizeChunk: 333 };
    const one = new LinkJob(defaultRules, { ...options, threads: 1 });
    const two = new LinkJob(defaultRules, { ...options, threads: 2 });
    for (const [i, r] of input.entries()) {
      one.add(r, i % 5 === 0 ? 1 : 0);
      two.add(r, i % 5 === 0 ? 1 : 0);
    }
    expect(() => two.run()).toThrow(/runParallel/);
    const a = one.run();
    const b = await two.runParallel();
    expect(two.table.size).toBe(input.length);
    const [x, y] = [tableContent(one.table), tableContent(two.table)];
    expect(y.rows).toEqual(x.rows);
    expect(y.counts).toEqual(x.counts);
    expect(b.blocking).toEqual(a.blocking);
    expect(b.count).toBe(a.count);
    expect(b.count).toBeGreaterThan(1000);
    const ka = keptPairs(a);
    for (const [key, [score, decision]] of keptPairs(b)) {
      expect(ka.get(key)?.[1]).toBe(decision);
      expect(ka.get(key)?.[0]).toBeCloseTo(score, 9);
    }
  }, 60_000);

  it('shares of the blocks hold every candidate pair exactly once', () => {
    const table = new RecordTable();
    for (const r of records) table.add(r, 0, 2025);
    const whole = collectPairs(defaultRules, table, { twoSources: false });
    const seen = new Map<string, number>();
    for (let index = 0; index < 3; index++) {
      const share = collectPairs(defaultRules, RecordTable.restore(table.snapshot()), {
        twoSources: false,
        share: { index, of: 3 },
      });
      for (let x = 0; x < share.n; x++) {
        const key = `${share.a[x]} ${share.b[x]}`;
        expect(seen.has(key)).toBe(false);
        seen.set(key, share.p[x]);
      }
    }
    expect(whole.n).toBeGreaterThan(10_000);
    expect(seen.size).toBe(whole.n);
    for (let x = 0; x < whole.n; x++) expect(seen.get(`${whole.a[x]} ${whole.b[x]}`)).toBe(whole.p[x]);
  });

  it('two threads give the one-thread result', async () => {
    const one = jobOf(1).run();
    const two = await jobOf(2).runParallel();
    expect(two.blocking).toEqual(one.blocking);
    expect(two.count).toBe(one.count);
    const a = keptPairs(one);
    const b = keptPairs(two);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [key, [score, decision]] of a) {
      expect(b.get(key)?.[1]).toBe(decision);
      expect(b.get(key)?.[0]).toBeCloseTo(score, 9);
    }
  }, 60_000);
});
