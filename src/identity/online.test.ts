import { describe, expect, it } from 'vitest';
import { generatePopulation } from './generator/generate';
import { toMatchRecord } from './generator/write';
import {
  DECISION_MATCH,
  createMatcher,
  defaultRules,
  findCandidates,
  InMemoryBlockingIndex,
  linkBatch,
} from '.';

/**
 * The online path (one record at a time, candidates from an index) must agree with the batch path: same
 * normalization, comparators, weights, term frequencies and decisions.
 */
describe('online matching', () => {
  const data = generatePopulation({ seed: 5, records: 3000 });
  const records = data.records.map(toMatchRecord);
  const batch = linkBatch(records, defaultRules, { maxYear: new Date().getUTCFullYear() });
  const index = new InMemoryBlockingIndex(createMatcher(defaultRules, batch.params));
  for (const r of records) index.add(r);
  const matcher = createMatcher(defaultRules, batch.params, { termFrequency: index.termFrequency });
  const byId = new Map(records.map((r) => [r.id, r]));

  it('scores a pair exactly as the batch did', () => {
    expect(batch.count).toBeGreaterThan(1000);
    for (let x = 0; x < batch.count; x += 7) {
      const s = matcher.scorePair(byId.get(batch.ids[batch.a[x]])!, byId.get(batch.ids[batch.b[x]])!);
      expect(s.score).toBeCloseTo(batch.score[x], 4);
      expect(s.decision).toBe(batch.decision[x] === DECISION_MATCH ? 'match' : 'possible');
    }
  });

  it('finds through the index the matches the batch found', async () => {
    const matchesOf = new Map<string, Set<string>>();
    for (let x = 0; x < batch.count; x++) {
      if (batch.decision[x] !== DECISION_MATCH) continue;
      const [a, b] = [batch.ids[batch.a[x]], batch.ids[batch.b[x]]];
      if (!matchesOf.has(a)) matchesOf.set(a, new Set());
      matchesOf.get(a)!.add(b);
    }
    let checked = 0;
    for (const [id, expected] of [...matchesOf].slice(0, 200)) {
      const found = await findCandidates(byId.get(id)!, index, matcher);
      const matched = new Set(found.filter((c) => c.result.decision === 'match').map((c) => c.id));
      for (const b of expected) expect(matched.has(b), `${id} -> ${b}`).toBe(true);
      // Best first, each with its evidence.
      for (let k = 1; k < found.length; k++)
        expect(found[k - 1].result.score).toBeGreaterThanOrEqual(found[k].result.score);
      expect(found[0].result.fields.length).toBe(defaultRules.fields.length);
      checked++;
    }
    expect(checked).toBe(200);
  });

  it('forgets a removed record', async () => {
    const [a, b] = [batch.ids[batch.a[0]], batch.ids[batch.b[0]]];
    const small = new InMemoryBlockingIndex(matcher);
    small.add(byId.get(b)!);
    expect((await findCandidates(byId.get(a)!, small, matcher)).map((c) => c.id)).toEqual([b]);
    small.remove(b);
    expect(await findCandidates(byId.get(a)!, small, matcher)).toEqual([]);
    expect(small.size).toBe(0);
  });

  it('refuses parameters estimated for other rules', () => {
    const other = structuredClone(defaultRules);
    other.fields[0].levels.splice(2, 1);
    expect(() => createMatcher(other, batch.params)).toThrow(/do not fit rules/);
  });
});
