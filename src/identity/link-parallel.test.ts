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

describe('batch linkage over threads', () => {
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
