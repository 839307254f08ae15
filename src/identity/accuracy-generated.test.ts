import { describe, expect, it } from 'vitest';
import { generatePopulation } from './generator/generate';
import { toMatchRecord } from './generator/write';
import { DECISION_MATCH, defaultRules, evaluateLinks, linkBatch } from '.';

/**
 * Accuracy on the project's own synthetic population: several source records per person, nicknames, typos,
 * day/month swaps, 45% missing SSNs, moves, married names, plus twins and father/son pairs that must never
 * be linked. 20,000 records, two seeds. The bench (bench/link.ts) runs the same at 100k and 1M records.
 */
describe('accuracy on generated US-style records', () => {
  for (const seed of [11, 12]) {
    it(`seed ${seed}: precision >= 0.999, recall >= 0.98, no twin or father/son linked`, () => {
      const data = generatePopulation({ seed, records: 20_000 });
      const result = linkBatch(data.records.map(toMatchRecord), defaultRules, { maxYear: 2025 });
      const acc = evaluateLinks(result, data.personOf);
      const related = new Set(data.relations.map((r) => `${Math.min(r.a, r.b)}:${Math.max(r.a, r.b)}`));
      let hardLinks = 0;
      for (let x = 0; x < result.count; x++) {
        const a = data.personOf[result.a[x]];
        const b = data.personOf[result.b[x]];
        if (result.decision[x] === DECISION_MATCH && related.has(`${Math.min(a, b)}:${Math.max(a, b)}`))
          hardLinks++;
      }
      console.log(
        `generated seed ${seed}: ${data.records.length} records of ${data.persons} people, ${acc.truePairs} true pairs, ` +
          `${result.blocking.candidatePairs} candidate pairs; match: precision ${acc.precision.toFixed(5)}, ` +
          `recall ${acc.recall.toFixed(4)}; true pairs in possible: ${acc.possibleTrue}; ` +
          `${data.relations.length} twin/father-son pairs, linked: ${hardLinks}`,
      );
      expect(data.relations.length).toBeGreaterThan(50);
      expect(acc.precision).toBeGreaterThanOrEqual(0.999);
      expect(acc.recall).toBeGreaterThanOrEqual(0.98);
      expect(hardLinks).toBe(0);
    });
  }
});
