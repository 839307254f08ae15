import type { Parameters, Patient, Person } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FHIR_HEADERS, startTestKith, type TestKith } from '../../../test/helpers/kith';
import {
  decideReview,
  listReviews,
  linkPatient,
  markNotSame,
  mergePersons,
  splitPerson,
  undoAction,
  unlinkPatient,
} from './actions';
import { identityContext } from './install';
import { patientToMatchRecord } from './patient-record';

let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
}, 400_000);
afterAll(async () => t?.close());

const ctx = () => identityContext(t.kith.store);

function patient(given: string, family: string, birthDate: string, extra: Partial<Patient> = {}): Patient {
  return {
    resourceType: 'Patient',
    name: [{ family, given: [given] }],
    gender: 'female',
    birthDate,
    ...extra,
  };
}

const full = (ssn: string, phone: string, line: string): Partial<Patient> => ({
  identifier: [{ system: 'http://hl7.org/fhir/sid/us-ssn', value: ssn }],
  telecom: [{ system: 'phone', value: phone }],
  address: [{ line: [line], city: 'Oakland', state: 'CA', postalCode: '94601' }],
});

async function create(p: Patient): Promise<string> {
  return (await t.kith.store.create(p)).resource.id as string;
}

async function links(ids: string[]): Promise<any[]> {
  const { rows } = await t.kith.db.pool.query(
    'select * from identity_links where patient_id = any($1::text[]) order by patient_id',
    [ids],
  );
  return rows;
}

async function personOf(id: string): Promise<string> {
  return (await links([id]))[0].person_id;
}

async function person(id: string): Promise<Person> {
  return t.kith.store.readResource<Person>('Person', id);
}

describe('steward actions and their undo', () => {
  let a: string, b: string, c: string;
  beforeAll(async () => {
    a = await create(
      patient('Katherine', 'Okafor', '1979-03-14', full('432-11-8765', '5105550101', '8 Lake Shore Ave')),
    );
    b = await create(
      patient('Kathy', 'Okafor', '1979-03-14', full('432-11-8765', '5105550101', '8 Lakeshore Avenue')),
    );
    c = await create(
      patient('Dolores', 'Quintero', '1944-12-01', full('301-55-1212', '5105550909', '400 Harrison St')),
    );
  }, 120_000);

  it('auto-linked the two variants and kept the third apart', async () => {
    expect(await personOf(a)).toBe(await personOf(b));
    expect(await personOf(c)).not.toBe(await personOf(a));
  });

  it('merges two Persons and unmerges to exactly the earlier state', async () => {
    const before = await links([a, b, c]);
    const p = await personOf(a);
    const q = await personOf(c);
    const merged = await mergePersons(t.kith.store, ctx(), p, q);
    expect(new Set((await links([a, b, c])).map((l) => l.person_id))).toEqual(new Set([p]));
    expect((await links([c]))[0].assurance).toBe('level4');
    expect((await person(p)).link).toHaveLength(3);
    expect((await person(q)).active).toBe(false);
    await undoAction(t.kith.store, ctx(), merged.actionId);
    expect(await links([a, b, c])).toEqual(before);
    expect((await person(q)).link?.map((l) => l.target.reference)).toEqual([`Patient/${c}`]);
    expect((await person(p)).link).toHaveLength(2);
  }, 120_000);

  it('unlinks, splits and links, each undone exactly', async () => {
    const before = await links([a, b, c]);
    const p = await personOf(a);
    const un = await unlinkPatient(t.kith.store, ctx(), b);
    expect(await personOf(b)).not.toBe(p);
    await undoAction(t.kith.store, ctx(), un.actionId);
    expect(await links([a, b, c])).toEqual(before);

    const sp = await splitPerson(t.kith.store, ctx(), p, [a]);
    expect(await personOf(a)).not.toBe(await personOf(b));
    await expect(splitPerson(t.kith.store, ctx(), await personOf(b), [b])).rejects.toThrow(/not all/);
    await undoAction(t.kith.store, ctx(), sp.actionId);
    expect(await links([a, b, c])).toEqual(before);

    const ln = await linkPatient(t.kith.store, ctx(), c, p);
    expect(await personOf(c)).toBe(p);
    await expect(undoAction(t.kith.store, ctx(), un.actionId)).rejects.toThrow(/already undone/);
    await undoAction(t.kith.store, ctx(), ln.actionId);
    expect(await links([a, b, c])).toEqual(before);
  }, 120_000);

  it('remembers not-same: the pair is separated and not linked again on update; undo forgets it', async () => {
    const before = await links([a, b]);
    const ns = await markNotSame(t.kith.store, ctx(), a, b);
    expect(await personOf(a)).not.toBe(await personOf(b));
    const stored = await t.kith.store.readResource<Patient>('Patient', b);
    await t.kith.store.update({ ...stored, birthDate: '1979-03-14', gender: 'female', active: true });
    expect(await personOf(a)).not.toBe(await personOf(b));
    await undoAction(t.kith.store, ctx(), ns.actionId);
    expect(await links([a, b])).toEqual(before);
    const { rows } = await t.kith.db.pool.query('select count(*)::int as n from identity_not_same');
    expect(rows[0].n).toBe(0);
  }, 120_000);

  it('queues a possible match for review with evidence, and decides it (link, then undo, then not-same)', async () => {
    const m1 = await create(
      patient('Maria', 'Lopez', '1990-05-06', {
        address: [{ line: ['12 Elm St'], city: 'Oakland', state: 'CA', postalCode: '94601' }],
      }),
    );
    // The first variant the rules send to review (not auto-link) against m1.
    const m1Record = patientToMatchRecord(await t.kith.store.readResource<Patient>('Patient', m1));
    const variants = [
      patient('Mariah', 'Lopez', '1990-05-06', { address: [{ city: 'Oakland' }] }),
      patient('Maria', 'Lopez', '1990-05-06'),
      patient('Mariah', 'Lopes', '1990-05-06'),
      patient('Marie', 'Lopez', '1990-05-06'),
    ];
    const variant = variants.find(
      (v) =>
        ctx().matcher.scorePair(m1Record, patientToMatchRecord({ ...v, id: 'x' })).decision === 'possible',
    );
    expect(variant).toBeDefined();
    const m2 = await create(variant as Patient);
    expect((await links([m2]))[0].assurance).toBe('level2');
    const tasks = (await listReviews(t.kith.db.pool)).filter((r) => r.patientId === m2);
    expect(tasks).toHaveLength(1);
    expect(tasks[0].candidatePatientId).toBe(m1);
    expect((tasks[0].evidence as { fields: unknown[] }).fields.length).toBeGreaterThan(3);
    const before = await links([m1, m2]);

    const linked = await decideReview(t.kith.store, ctx(), tasks[0].id, 'link');
    expect(await personOf(m2)).toBe(await personOf(m1));
    expect((await listReviews(t.kith.db.pool)).some((r) => r.id === tasks[0].id)).toBe(false);
    await undoAction(t.kith.store, ctx(), linked.actionId);
    expect(await links([m1, m2])).toEqual(before);
    expect((await listReviews(t.kith.db.pool)).some((r) => r.id === tasks[0].id)).toBe(true);

    await decideReview(t.kith.store, ctx(), tasks[0].id, 'not-same');
    expect(await personOf(m2)).not.toBe(await personOf(m1));
    const { rows } = await t.kith.db.pool.query(`select status from identity_review where id = $1`, [
      tasks[0].id,
    ]);
    expect(rows[0].status).toBe('not-same');
  }, 120_000);

  it('runs the actions as FHIR operations, each journaled and audited', async () => {
    const p = await personOf(a);
    const q = await personOf(c);
    const res = await t.inject({
      method: 'POST',
      url: `/fhir/Person/${p}/$identity-merge`,
      headers: FHIR_HEADERS,
      payload: {
        resourceType: 'Parameters',
        parameter: [{ name: 'source', valueReference: { reference: `Person/${q}` } }],
      },
    });
    expect(res.statusCode).toBe(200);
    const action = (res.json() as Parameters).parameter?.find((x) => x.name === 'action')?.valueInteger;
    expect(await personOf(c)).toBe(p);
    const undo = await t.inject({
      method: 'POST',
      url: '/fhir/Person/$identity-undo',
      headers: FHIR_HEADERS,
      payload: { resourceType: 'Parameters', parameter: [{ name: 'action', valueInteger: action }] },
    });
    expect(undo.statusCode).toBe(200);
    expect(await personOf(c)).toBe(q);
    const review = await t.inject({ method: 'GET', url: '/fhir/Person/$identity-review' });
    expect(review.statusCode).toBe(200);
    const { rows } = await t.kith.db.pool.query(`select count(*)::int as n from audit_events`);
    expect(rows[0].n).toBeGreaterThanOrEqual(10);
  }, 120_000);
});
