import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../../../test/helpers/kith';
import { createMatcher, defaultRules } from '..';
import { requiredSharedBlocks, sharedByBlocks } from '../online';
import { validateRules } from '../rules';
import { loadCandidates } from './db-index';

// Online, a candidate must be in onlineMinSharedBlocks of the record's blocks read (or in all of
// them when fewer were read); the SQL candidate query and the sets' code in memory keep the same ones.
const blocks: Record<string, string[]> = {
  'k1|a': ['both', 'one', 'full-too'],
  'k2|b': ['both'],
  'k3|c': ['lone'],
  // Over the block limit used below (3): skipped, so its members share nothing through it.
  'k4|d': ['full-too', 'x1', 'x2', 'x3'],
};

let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
  for (const [kv, ids] of Object.entries(blocks)) {
    const [key, value] = kv.split('|');
    for (const id of ids)
      await t.kith.db.query('insert into identity_keys (patient_id, key, value) values ($1, $2, $3)', [
        id,
        key,
        value,
      ]);
  }
  const ids = new Set(Object.values(blocks).flat());
  for (const id of ids)
    await t.kith.db.query(
      `insert into identity_records (patient_id, person_id, record) values ($1, $2, $3::jsonb)`,
      [id, `person-${id}`, JSON.stringify({ id })],
    );
});
afterAll(async () => t?.close());

const candidates = async (kvs: string[], min: number): Promise<string[]> => {
  const keys = kvs.map((kv) => ({ key: kv.split('|')[0], value: kv.split('|')[1] }));
  const found = await loadCandidates(t.kith.db, 'probe', keys, 3, min);
  return found.map((c) => c.record.id).sort();
};

/** The same rule over the blocks in memory, as the sets of writes and the bulk loader apply it. */
const inMemory = (kvs: string[], min: number): string[] => {
  const read = kvs.map((kv) => blocks[kv] ?? []).filter((b) => b.length <= 3);
  const matcher = createMatcher({
    ...defaultRules,
    blocking: { ...defaultRules.blocking, onlineMinSharedBlocks: min },
  });
  return sharedByBlocks(read, requiredSharedBlocks(matcher, read.length)).sort();
};

describe('candidates sharing enough blocks', () => {
  it('keeps only records in two of the blocks read when the rules ask for two', async () => {
    const probe = ['k1|a', 'k2|b', 'k4|d', 'k9|none'];
    expect(await candidates(probe, 2)).toEqual(['both']);
    expect(inMemory(probe, 2)).toEqual(['both']);
  });

  it('keeps every record of a block read when the rules ask for one', async () => {
    const probe = ['k1|a', 'k2|b', 'k4|d'];
    expect(await candidates(probe, 1)).toEqual(['both', 'full-too', 'one']);
    expect(inMemory(probe, 1)).toEqual(['both', 'full-too', 'one']);
  });

  it('asks no more blocks than the record has read (a skipped block is not read, an empty one is)', async () => {
    // One block read (k4 is over the limit): its records are candidates.
    expect(await candidates(['k3|c', 'k4|d'], 2)).toEqual(['lone']);
    expect(inMemory(['k3|c', 'k4|d'], 2)).toEqual(['lone']);
    // Two read, one of them empty: a record in the other alone is not enough.
    expect(await candidates(['k3|c', 'k9|none'], 2)).toEqual([]);
    expect(inMemory(['k3|c', 'k9|none'], 2)).toEqual([]);
  });

  it('validates the rule', () => {
    const rules = (min: number) => ({
      ...defaultRules,
      blocking: { ...defaultRules.blocking, onlineMinSharedBlocks: min },
    });
    expect(validateRules(rules(0))).toEqual({
      ok: false,
      errors: ['blocking.onlineMinSharedBlocks: must be an integer >= 1'],
    });
    expect(validateRules(rules(3)).ok).toBe(true);
    expect(defaultRules.blocking.onlineMinSharedBlocks).toBe(2);
  });
});
