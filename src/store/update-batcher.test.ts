import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Patient, Person } from '@medplum/fhirtypes';
import { FHIR_HEADERS, startTestKith, type TestKith } from '../../test/helpers/kith';
import { identityContext } from '../identity/mpi/install';
import { refreshPerson } from '../identity/mpi/core';
import { SYSTEM_CALLER } from '../privacy/caller';
import { FhirStore, type WriteResult } from './repository';
import type { UpdateItem } from './update-batcher';

let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
  // A hook that refuses one id: the batch holding it fails, and each of its updates runs alone.
  t.kith.store.addBeforeWriteHook(async (_store, resource) => {
    if (resource.id?.startsWith('refused-')) throw new Error(`refused ${resource.id}`);
    return resource;
  });
});
afterAll(async () => t?.close());
afterEach(() => vi.restoreAllMocks());

/** Every updateMany call: who wrote it, the `Type/id`s it wrote, and whether it was written (ok). */
function watchBatches(): { caller: string; keys: string[]; ok?: boolean }[] {
  const calls: { caller: string; keys: string[]; ok?: boolean }[] = [];
  const original = FhirStore.prototype.updateMany;
  vi.spyOn(FhirStore.prototype, 'updateMany').mockImplementation(function (
    this: FhirStore,
    items: UpdateItem[],
  ) {
    const call: { caller: string; keys: string[]; ok?: boolean } = {
      caller: this.actor.subject,
      keys: items.map((i) => `${i.resource.resourceType}/${i.resource.id}`),
    };
    calls.push(call);
    return original.call(this, items).then(
      (r) => ((call.ok = true), r),
      (err: unknown) => {
        call.ok = false;
        throw err;
      },
    );
  });
  return calls;
}

const patient = (family: string, given: string, birthDate: string): Patient => ({
  resourceType: 'Patient',
  name: [{ family, given: [given] }],
  birthDate,
  gender: 'female',
});

/** Creates patients one after the other (no create batching), so each has its own Person. */
async function createPatients(n: number, prefix: string): Promise<Patient[]> {
  const out: Patient[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      (await t.kith.store.create(patient(`${prefix}${'abcdefghij'[i]}son`, 'Mira', `196${i}-04-0${i + 1}`)))
        .resource as Patient,
    );
  return out;
}

const versionsOf = async (type: string, id: string): Promise<number[]> =>
  (
    await t.kith.db.query(
      'select version_id from fhir_history where resource_type = $1 and id = $2 order by version_id',
      [type, id],
    )
  ).rows.map((r) => Number(r.version_id));

async function personOf(patientId: string): Promise<Person> {
  const { rows } = await t.kith.db.query('select person_id from identity_links where patient_id = $1', [
    patientId,
  ]);
  return t.kith.store.readResource<Person>('Person', rows[0].person_id);
}

describe('concurrent updates written together', () => {
  it('writes updates that arrive together in fewer transactions, each with its own version and Person', async () => {
    const patients = await createPatients(6, 'Vantreight');
    const batches = watchBatches();
    const results = await Promise.all(
      patients.map((p, i) =>
        t.kith.store.update({ ...p, name: [{ family: p.name?.[0]?.family, given: [`Nell${i}`] }] }),
      ),
    );
    expect(results.map((r) => (r.resource as Patient).name?.[0]?.given?.[0])).toEqual(
      patients.map((_, i) => `Nell${i}`),
    );
    expect(results.every((r) => !r.created && r.version.versionId === 2)).toBe(true);
    const keys = new Set(patients.map((p) => `Patient/${p.id}`));
    const ours = batches.filter((b) => b.keys.some((k) => keys.has(k)));
    expect(ours.some((b) => b.ok && b.keys.length > 1)).toBe(true);
    for (const [i, p] of patients.entries()) {
      const stored = JSON.parse((await t.kith.store.read('Patient', p.id as string)).json) as Patient;
      expect(stored).toEqual(results[i].resource);
      expect(await versionsOf('Patient', p.id as string)).toEqual([1, 2]);
      // The search index follows the new name, not the old one.
      const found = await t.inject({
        method: 'GET',
        url: `/fhir/Patient?given=Nell${i}&family=${p.name?.[0]?.family}`,
        headers: FHIR_HEADERS,
      });
      expect(found.json().entry?.map((e: any) => e.resource.id)).toEqual([p.id]);
      // Identity ran for each: its Person's golden record has the new given name.
      expect((await personOf(p.id as string)).name?.[0]?.given).toEqual([`Nell${i}`]);
    }
  });

  it('fails only the update whose If-Match is stale, inside a batch', async () => {
    const patients = await createPatients(6, 'Quellmore');
    const batches = watchBatches();
    const outcomes = await Promise.allSettled(
      patients.map((p, i) =>
        t.kith.store.update(
          { ...p, birthDate: `1970-01-1${i}` },
          // The fourth client last saw a version that never was.
          { ifMatch: i === 3 ? 7 : 1 },
        ),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect((outcomes[3] as PromiseRejectedResult).reason?.code).toBe('version_conflict');
    // The stale update shared its batch with others, and they were written.
    expect(batches.some((b) => b.keys.length > 1 && b.keys.includes(`Patient/${patients[3].id}`))).toBe(true);
    for (const [i, p] of patients.entries())
      expect(await versionsOf('Patient', p.id as string)).toEqual(i === 3 ? [1] : [1, 2]);
  });

  it('answers concurrent PUTs each with its own status: 200, or 412 for the stale If-Match', async () => {
    const patients = await createPatients(5, 'Orlovane');
    const replies = await Promise.all(
      patients.map((p, i) =>
        t.inject({
          method: 'PUT',
          url: `/fhir/Patient/${p.id}`,
          headers: { ...FHIR_HEADERS, 'if-match': i === 2 ? 'W/"4"' : 'W/"1"' },
          payload: { ...p, gender: 'other' },
        }),
      ),
    );
    expect(replies.map((r) => r.statusCode)).toEqual([200, 200, 412, 200, 200]);
    expect(replies[0].headers.etag).toBe('W/"2"');
    expect(replies.filter((r) => r.statusCode === 200).every((r) => r.json().gender === 'other')).toBe(true);
  });

  it('serializes updates of one resource: each sees the version before it, history complete', async () => {
    const [p] = await createPatients(1, 'Samewright');
    const batches = watchBatches();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => t.kith.store.update({ ...p, birthDate: `1980-02-1${i}` })),
    );
    expect(results.map((r) => r.version.versionId).sort()).toEqual([2, 3, 4, 5, 6, 7]);
    expect(await versionsOf('Patient', p.id as string)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const b of batches) expect(new Set(b.keys).size).toBe(b.keys.length);
    const last = results.find((r) => r.version.versionId === 7) as WriteResult;
    expect(JSON.parse((await t.kith.store.read('Patient', p.id as string)).json)).toEqual(last.resource);
    expect((await personOf(p.id as string)).birthDate).toBe((last.resource as Patient).birthDate);
  });

  it('lets exactly one of several updates expecting the same version win', async () => {
    const [p] = await createPatients(1, 'Racewell');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        t.kith.store.update({ ...p, birthDate: `1981-03-1${i}` }, { ifMatch: 1 }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason?.code).toBe('version_conflict');
    expect(await versionsOf('Patient', p.id as string)).toEqual([1, 2]);
  });

  it('runs a failed batch again one update at a time, so only the refused update fails', async () => {
    const ids = ['ok-a', 'ok-b', 'refused-c', 'ok-d', 'ok-e'].map((s) => `${s}-${Date.now()}`);
    const batches = watchBatches();
    const outcomes = await Promise.allSettled(
      ids.map((id, i) => t.kith.store.update({ ...patient(`Createon${i}`, 'Ida', '1990-05-05'), id })),
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(String((outcomes[2] as PromiseRejectedResult).reason?.message)).toMatch(/refused/);
    expect(batches.some((b) => b.keys.includes(`Patient/${ids[2]}`) && b.keys.length > 1)).toBe(true);
    for (const [i, id] of ids.entries()) {
      if (i === 2) continue;
      // Create-on-update with the client's id: version 1, and its Person.
      expect((outcomes[i] as PromiseFulfilledResult<WriteResult>).value.created).toBe(true);
      expect(await versionsOf('Patient', id)).toEqual([1]);
      expect((await personOf(id)).link?.[0]?.target?.reference).toBe(`Patient/${id}`);
    }
  });

  it('never writes the updates of two callers together', async () => {
    const patients = await createPatients(8, 'Twocall');
    const batches = watchBatches();
    const alice = t.kith.store.actingAs({ ...SYSTEM_CALLER, subject: 'alice' });
    const bob = t.kith.store.actingAs({ ...SYSTEM_CALLER, subject: 'bob' });
    await Promise.all(
      patients.map((p, i) => (i % 2 ? bob : alice).update({ ...p, birthDate: '2001-01-01' })),
    );
    const by = new Map(patients.map((p, i) => [`Patient/${p.id}`, i % 2 ? 'bob' : 'alice']));
    const ours = batches.filter((b) => b.keys.some((k) => by.has(k)));
    expect(ours.length).toBeGreaterThan(0);
    for (const b of ours) for (const k of b.keys) expect(by.get(k)).toBe(b.caller);
  });

  it('rebuilds a one-record Person as a refresh from its links would, and leaves it alone when nothing of the golden record changed', async () => {
    const patients = await createPatients(3, 'Goldrick');
    await Promise.all(
      patients.map((p, i) => t.kith.store.update({ ...p, birthDate: `1955-07-0${i + 1}`, gender: 'male' })),
    );
    for (const [i, p] of patients.entries()) {
      const person = await personOf(p.id as string);
      expect(person.birthDate).toBe(`1955-07-0${i + 1}`);
      expect(person.gender).toBe('male');
      // Rebuilt from the stored links and records, the Person is the same: no new version.
      const refreshed = await t.kith.store.inTransaction(async (tx) => {
        await refreshPerson(tx, identityContext(tx), person.id as string);
        return tx.readResource<Person>('Person', person.id as string);
      });
      expect(refreshed.meta?.versionId).toBe(person.meta?.versionId);
      // A change outside the golden record writes the Patient, not its Person.
      const updated = await t.kith.store.update({
        ...(await t.kith.store.readResource<Patient>('Patient', p.id as string)),
        active: false,
      });
      expect(updated.version.versionId).toBe(3);
      expect((await personOf(p.id as string)).meta?.versionId).toBe(person.meta?.versionId);
    }
  });

  it('updates two records of one Person in one batch: both written, the Person rebuilt from both, its history whole', async () => {
    const twin = (given: string): Patient => ({
      ...patient('Hollowbrook', given, '1948-12-24'),
      identifier: [{ system: 'http://hl7.org/fhir/sid/us-ssn', value: '321-54-9876' }],
    });
    const a = (await t.kith.store.create(twin('Wendeline'))).resource as Patient;
    const b = (await t.kith.store.create(twin('Wendeline'))).resource as Patient;
    const personId = (await personOf(a.id as string)).id as string;
    expect((await personOf(b.id as string)).id).toBe(personId);
    const fillers = await createPatients(2, 'Fillmore');
    const batches = watchBatches();
    const outcomes = await Promise.allSettled([
      ...fillers.map((p) => t.kith.store.update({ ...p, gender: 'male' })),
      t.kith.store.update({ ...a, telecom: [{ system: 'phone', value: '555-0101' }] }),
      t.kith.store.update({ ...b, telecom: [{ system: 'phone', value: '555-0101' }], gender: 'female' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(
      batches.some((x) => x.ok && x.keys.includes(`Patient/${a.id}`) && x.keys.includes(`Patient/${b.id}`)),
    ).toBe(true);
    const person = await personOf(a.id as string);
    expect(person.id).toBe(personId);
    expect(person.link?.map((l) => l.target?.reference).sort()).toEqual(
      [`Patient/${a.id}`, `Patient/${b.id}`].sort(),
    );
    expect(person.telecom?.[0]?.value).toBe('555-0101');
    const versions = await versionsOf('Person', personId);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    expect(String(versions.at(-1))).toBe(person.meta?.versionId);
  });
});
