import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { startTestKith, type TestKith } from '../../test/helpers/kith';
import { MATCH_COLUMNS } from './index-diff';
import { extractIndexRows, INDEX_TABLES, type IndexTable } from './index-rows';

// A batch of updates writes only the index rows that changed: whatever changed, the rows stored
// must stay exactly (as a multiset) those the current version gives.
let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
});
afterAll(async () => t?.close());

const columns = (table: IndexTable): string => MATCH_COLUMNS[table].map(([, c]) => `${c}::text`).join(', ');

/** The stored index rows of a resource, one table, as sorted text. */
async function storedRows(type: string, id: string, table: IndexTable): Promise<string[]> {
  const { rows } = await t.kith.db.query(
    `select code, ${columns(table)} from sp_${table} where resource_type = $1 and id = $2`,
    [type, id],
  );
  return rows.map((r: Record<string, unknown>) => JSON.stringify(Object.values(r))).sort();
}

/** What the current version's extraction gives, through the same PostgreSQL types and text. */
async function expectedRows(resource: Resource, table: IndexTable): Promise<string[]> {
  const spec = MATCH_COLUMNS[table];
  const { rows } = await t.kith.db.query(
    `select x.c, ${spec.map(([k]) => `x.${k}::text`).join(', ')}
     from jsonb_to_recordset($1::jsonb) as x(c text, ${spec.map(([k, , type]) => `${k} ${type.slice(0, -2)}`).join(', ')})`,
    [JSON.stringify(extractIndexRows(resource)[table])],
  );
  return rows.map((r: Record<string, unknown>) => JSON.stringify(Object.values(r))).sort();
}

async function expectIndexedAsStored(type: string, id: string): Promise<void> {
  const current = await t.kith.store.readResource(type, id);
  for (const table of INDEX_TABLES)
    expect({ table, rows: await storedRows(type, id, table) }).toEqual({
      table,
      rows: await expectedRows(current, table),
    });
}

const patient = (id: string, over: Partial<Patient>): Patient => ({
  resourceType: 'Patient',
  id,
  identifier: [{ system: 'urn:test:mrn', value: `${id}-1` }],
  name: [{ family: 'Quispe', given: ['Rosa', 'Rosa'] }],
  gender: 'female',
  birthDate: '1980-05-06',
  generalPractitioner: [{ reference: 'Organization/org-a' }],
  ...over,
});

const observation = (id: string, value: number): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: 'Patient/diff-a' },
  effectiveDateTime: '2026-01-02T03:04:05Z',
  valueQuantity: { value, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
  component: [
    { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value } },
  ],
});

describe('updateMany writes the index rows that changed', () => {
  it('keeps every index table equal to the current version', async () => {
    await t.kith.store.update(patient('diff-a', {}));
    await t.kith.store.update(patient('diff-b', {}));
    await t.kith.store.delete('Patient', 'diff-b');
    await t.kith.store.update(observation('diff-o', 60));
    const settled = await t.kith.store.updateMany([
      {
        // A duplicate value dropped, an identifier replaced, a date and a reference changed.
        resource: patient('diff-a', {
          identifier: [{ system: 'urn:test:mrn', value: 'diff-a-2' }],
          name: [{ family: 'Quispe', given: ['Rosa'] }],
          birthDate: '1981-05-06',
          generalPractitioner: [{ reference: 'Organization/org-b' }],
        }),
      },
      // Deleted before: written again in full.
      { resource: patient('diff-b', { gender: 'male' }) },
      // Not there before (create on update).
      { resource: patient('diff-c', {}) },
      // Quantities and a composite.
      { resource: observation('diff-o', 75) },
    ]);
    expect(settled.every((s) => !('error' in s))).toBe(true);
    for (const [type, id] of [
      ['Patient', 'diff-a'],
      ['Patient', 'diff-b'],
      ['Patient', 'diff-c'],
      ['Observation', 'diff-o'],
    ])
      await expectIndexedAsStored(type, id);
    // A value removed and a duplicate added back, then an element dropped whole.
    await t.kith.store.updateMany([
      {
        resource: patient('diff-a', {
          name: [{ family: 'Quispe', given: ['Ana', 'Ana'] }],
          gender: undefined,
        }),
      },
      { resource: observation('diff-o', 60) },
    ]);
    await t.kith.store.updateMany([
      { resource: patient('diff-a', { generalPractitioner: undefined, identifier: undefined }) },
      { resource: { ...observation('diff-o', 60), component: undefined } },
    ]);
    await expectIndexedAsStored('Patient', 'diff-a');
    await expectIndexedAsStored('Observation', 'diff-o');
  });

  it("rewrites a Patient's Person (the deferred write) with its index rows right", async () => {
    await t.kith.store.update(patient('diff-p', { name: [{ family: 'Mamani', given: ['Luz'] }] }));
    await t.kith.store.update(patient('diff-q', { name: [{ family: 'Condori', given: ['Eva'] }] }));
    await t.kith.store.updateMany([
      {
        resource: patient('diff-p', {
          name: [{ family: 'Mamani', given: ['Luzmila'] }],
          birthDate: '1979-01-02',
        }),
      },
      {
        resource: patient('diff-q', {
          name: [{ family: 'Condori', given: ['Evita'] }],
          birthDate: '1978-01-02',
        }),
      },
    ]);
    const { rows } = await t.kith.db.query(
      `select person_id from identity_links where patient_id in ('diff-p', 'diff-q')`,
    );
    expect(rows.length).toBe(2);
    for (const { person_id } of rows) {
      const person = await t.kith.store.readResource('Person', person_id as string);
      expect(person.meta?.versionId).not.toBe('1');
      await expectIndexedAsStored('Person', person_id as string);
    }
  });
});

describe('updateMany leaves unchanged index rows alone', () => {
  it('rewrites the changed rows only (same row versions for the rest)', async () => {
    await t.kith.store.update(patient('diff-k', {}));
    const versions = async (): Promise<Record<string, string>> => {
      const { rows } = await t.kith.db.query(
        `select code, ctid::text as at from sp_token where resource_type = 'Patient' and id = 'diff-k'
         union all select code, ctid::text from sp_date where resource_type = 'Patient' and id = 'diff-k'`,
      );
      return Object.fromEntries(rows.map((r: { code: string; at: string }) => [r.code, r.at]));
    };
    const before = await versions();
    await t.kith.store.updateMany([
      { resource: patient('diff-k', { birthDate: '1990-01-01' }) },
      { resource: patient('diff-l', {}) },
    ]);
    const after = await versions();
    expect(after.identifier).toBe(before.identifier);
    expect(after.gender).toBe(before.gender);
    expect(after.birthdate).not.toBe(before.birthdate);
    await expectIndexedAsStored('Patient', 'diff-k');
  });
});

describe('an update written alone writes the index rows that changed', () => {
  it('keeps every index table equal to the current version, unchanged rows untouched', async () => {
    const alone = (r: Resource) => t.kith.store.inTransaction((tx) => tx.update(r));
    await alone(patient('diff-s', {}));
    await alone(observation('diff-so', 50));
    const identifierAt = async (): Promise<string> => {
      const { rows } = await t.kith.db.query(
        `select ctid::text as at from sp_token where resource_type = 'Patient' and id = 'diff-s' and code = 'identifier'`,
      );
      return rows[0].at as string;
    };
    const before = await identifierAt();
    await alone(
      patient('diff-s', {
        name: [{ family: 'Quispe', given: ['Rosa'] }],
        birthDate: '1982-05-06',
        generalPractitioner: [{ reference: 'Organization/org-c' }],
      }),
    );
    expect(await identifierAt()).toBe(before);
    await alone(observation('diff-so', 51));
    await expectIndexedAsStored('Patient', 'diff-s');
    await expectIndexedAsStored('Observation', 'diff-so');
    await alone(
      patient('diff-s', { name: [{ family: 'Quispe', given: ['Ada', 'Ada'] }], identifier: undefined }),
    );
    await t.kith.store.delete('Observation', 'diff-so');
    await alone(observation('diff-so', 52));
    await expectIndexedAsStored('Patient', 'diff-s');
    await expectIndexedAsStored('Observation', 'diff-so');
  });
});
