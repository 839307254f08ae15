import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../fhir/errors';
import { startTestKith, type TestKith } from '../../test/helpers/kith';

let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
  // A hook that refuses some writes after their statement ran: the refusal must undo only that write.
  t.kith.store.addAfterWriteHook(async (_store, result) => {
    if ((result.resource as { gender?: string }).gender === 'unknown') {
      throw new FhirError('invalid_value', 'refused by test hook');
    }
  });
});
afterAll(async () => t?.close());

describe('group commit', () => {
  it('commits concurrent writes together while a failing one fails alone', async () => {
    const jobs = Array.from({ length: 60 }, (_, i) => {
      const p = {
        resourceType: 'Patient',
        id: `gc-${i}`,
        gender: i % 7 === 3 ? 'unknown' : 'female',
      } as Resource;
      return t.kith.store.update(p).then(
        () => ({ i, ok: true }),
        (err: unknown) => ({ i, ok: false, err }),
      );
    });
    const results = await Promise.all(jobs);
    for (const r of results) {
      expect(r.ok).toBe(r.i % 7 !== 3);
      const stored = await t.kith.store.readIfExists('Patient', `gc-${r.i}`);
      expect(!!stored).toBe(r.ok);
    }
    const { rows } = await t.kith.db.query(
      `select count(*)::int as n from fhir_history where id like 'gc-%'`,
    );
    expect(rows[0].n).toBe(results.filter((r) => r.ok).length);
  });
});
