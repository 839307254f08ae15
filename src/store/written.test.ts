import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient, Provenance } from '@medplum/fhirtypes';
import { startTestKith, type TestKith } from '../../test/helpers/kith';

let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
});
afterAll(async () => t?.close());

describe('versions a transaction wrote', () => {
  it('are known without a read inside the transaction (creates, bulk creates, updates, deletes), not outside it', async () => {
    const stored = await t.kith.store.create({ resourceType: 'Patient', gender: 'male' } as Patient);
    const id = stored.version.id;
    expect(t.kith.store.writtenInTransaction('Patient', id)).toBeUndefined();
    await t.kith.store.inTransaction(async (tx) => {
      expect(tx.writtenInTransaction('Patient', id)).toBeUndefined();
      await tx.update({ resourceType: 'Patient', id, gender: 'female' } as Patient);
      const updated = tx.writtenInTransaction('Patient', id)!;
      expect(updated.versionId).toBe(2);
      expect(JSON.parse(updated.json).gender).toBe('female');
      const [many] = await tx.createMany([{ resourceType: 'Patient', id: `${id}-b` } as Patient]);
      expect(tx.writtenInTransaction('Patient', `${id}-b`)?.json).toBe(many.version.json);
      await tx.delete('Patient', `${id}-b`);
      expect(tx.writtenInTransaction('Patient', `${id}-b`)?.deleted).toBe(true);
    });
  });

  it('label a Provenance from its targets as this transaction wrote them', async () => {
    const sdv = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'SDV' };
    const provenance = await t.kith.store.inTransaction(async (tx) => {
      const p = await tx.create({ resourceType: 'Patient', meta: { security: [sdv] } } as Patient);
      // What the write returned is what the label rules see: no read of the Patient.
      let reads = 0;
      const q = tx.queryable;
      const query = q.query.bind(q);
      (q as { query: typeof query }).query = ((...args: Parameters<typeof query>) => {
        const [sql] = args;
        if (/from fhir_resources where resource_type = \$1 and id = \$2/.test(String(sql))) reads++;
        return query(...args);
      }) as typeof query;
      const [prov] = await tx.createMany([
        {
          resourceType: 'Provenance',
          id: `prov-${p.version.id}`,
          target: [{ reference: `Patient/${p.version.id}` }],
          recorded: new Date().toISOString(),
          agent: [{ who: { display: 'test' } }],
        } as Provenance,
      ]);
      (q as { query: typeof query }).query = query;
      expect(reads).toBe(0);
      return prov.resource as Provenance;
    });
    expect((provenance.meta?.security ?? []).map((c) => c.code)).toContain('SDV');
  });
});
