import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Patient, Resource } from '@medplum/fhirtypes';
import { FHIR_HEADERS, startTestKith, type TestKith } from '../../test/helpers/kith';
import { SYSTEM_CALLER } from '../privacy/caller';
import { FhirStore } from './repository';

let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
});
afterAll(async () => t?.close());
afterEach(() => vi.restoreAllMocks());

/** Every createMany call: who wrote it and the ids it wrote. */
function watchBatches(): { caller: string; ids: string[] }[] {
  const calls: { caller: string; ids: string[] }[] = [];
  const original = FhirStore.prototype.createMany;
  vi.spyOn(FhirStore.prototype, 'createMany').mockImplementation(function (
    this: FhirStore,
    resources: Resource[],
  ) {
    calls.push({ caller: this.actor.subject, ids: resources.map((r) => r.id as string) });
    return original.call(this, resources);
  });
  return calls;
}

const patient = (family: string, given: string, birthDate: string, ssn?: string): Patient => ({
  resourceType: 'Patient',
  name: [{ family, given: [given] }],
  birthDate,
  gender: 'female',
  identifier: ssn ? [{ system: 'http://hl7.org/fhir/sid/us-ssn', value: ssn }] : undefined,
});

const personOf = async (patientId: string): Promise<string | undefined> =>
  (await t.kith.db.query('select person_id from identity_links where patient_id = $1', [patientId])).rows[0]
    ?.person_id;

describe('concurrent creates written together', () => {
  it('writes creates that arrive together in fewer transactions than creates, each with its own result', async () => {
    const batches = watchBatches();
    const families = ['Abara', 'Bergstrom', 'Castillo', 'Dlamini', 'Eklund', 'Fonseca'];
    const results = await Promise.all(
      families.map((f, i) => t.kith.store.create(patient(f, 'Lu', `197${i}-03-03`))),
    );
    expect(results.map((r) => (r.resource as Patient).name?.[0]?.family)).toEqual(families);
    expect(results.every((r) => r.created && r.version.versionId === 1)).toBe(true);
    const ids = new Set(results.map((r) => r.resource.id));
    const patientBatches = batches.filter((b) => b.ids.some((id) => ids.has(id)));
    expect(patientBatches.some((b) => b.ids.length > 1)).toBe(true);
    expect(patientBatches.length).toBeLessThan(families.length);
    for (const r of results) {
      expect(JSON.parse((await t.kith.store.read('Patient', r.resource.id as string)).json)).toEqual(
        r.resource,
      );
      expect(await personOf(r.resource.id as string)).toBeTruthy();
    }
  });

  it('answers concurrent POSTs each with its own resource and Person', async () => {
    const families = ['Okafor', 'Lindgren', 'Tanaka', 'Moreau', 'Kowalski', 'Haddad', 'Nguyen', 'Silva'];
    const replies = await Promise.all(
      families.map((family, i) =>
        t.inject({
          method: 'POST',
          url: '/fhir/Patient',
          headers: FHIR_HEADERS,
          payload: patient(family, 'Ana', `198${i}-02-0${i + 1}`),
        }),
      ),
    );
    expect(replies.map((r) => r.statusCode)).toEqual(families.map(() => 201));
    const created = replies.map((r) => r.json() as Patient);
    expect(created.map((p) => p.name?.[0]?.family)).toEqual(families);
    expect(new Set(created.map((p) => p.id)).size).toBe(families.length);
    for (const p of created) {
      const read = await t.inject({ method: 'GET', url: `/fhir/Patient/${p.id}`, headers: FHIR_HEADERS });
      expect((read.json() as Patient).name?.[0]?.family).toBe(p.name?.[0]?.family);
      expect(await personOf(p.id as string)).toBeTruthy();
    }
    // Eight different people: eight Persons.
    expect(new Set(await Promise.all(created.map((p) => personOf(p.id as string)))).size).toBe(8);
  });

  it('gives two records of one person created at once one Person, as one after the other would', async () => {
    const store = t.kith.store;
    const [a, b, c] = await Promise.all([
      store.create(patient('Brightwater', 'Selene', '1977-06-05', '123-45-6789')),
      store.create(patient('Brightwater', 'Selene', '1977-06-05', '123-45-6789')),
      store.create(patient('Quist', 'Harald', '1950-01-01')),
    ]);
    expect(await personOf(a.resource.id as string)).toBe(await personOf(b.resource.id as string));
    expect(await personOf(c.resource.id as string)).not.toBe(await personOf(a.resource.id as string));
  });

  it('fails only the create that fails: the rest of its batch is written', async () => {
    const batches = watchBatches();
    const store = t.kith.store;
    const outcomes = await Promise.allSettled([
      // The first creates go alone (one per free slot), the rest wait and go together.
      store.create(patient('Ashdown', 'Ivy', '1990-01-01')),
      store.create(patient('Bellamy', 'Jo', '1989-01-01')),
      store.create(patient('Ashdown', 'Ivy', '1990-01-01'), 'batch-dup'),
      store.create(patient('Crane', 'Otto', '1991-01-01'), 'batch-dup'),
      store.create(patient('Delgado', 'Rui', '1992-01-01')),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    const failed = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(String(failed.reason?.message)).toMatch(/exists/);
    // The batch holding both 'batch-dup' creates failed as a whole; each then ran alone.
    expect(batches.some((b) => b.ids.filter((id) => id === 'batch-dup').length === 2)).toBe(true);
    for (const o of outcomes)
      if (o.status === 'fulfilled')
        await expect(store.read('Patient', o.value.resource.id as string)).resolves.toBeTruthy();
  });

  it('never writes the creates of two callers together', async () => {
    const batches = watchBatches();
    const alice = t.kith.store.actingAs({ ...SYSTEM_CALLER, subject: 'alice' });
    const bob = t.kith.store.actingAs({ ...SYSTEM_CALLER, subject: 'bob' });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? bob : alice)
          .create(patient(`Caller${i}`, 'Kim', '1999-09-09'))
          .then((r) => ({ id: r.resource.id as string, by: i % 2 ? 'bob' : 'alice' })),
      ),
    );
    const byId = new Map(results.map((r) => [r.id, r.by]));
    const patientBatches = batches.filter((b) => b.ids.some((id) => byId.has(id)));
    expect(patientBatches.length).toBeGreaterThan(0);
    for (const b of patientBatches) for (const id of b.ids) expect(byId.get(id)).toBe(b.caller);
  });
});
