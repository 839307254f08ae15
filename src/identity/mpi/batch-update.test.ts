import type { Patient, Person } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestKith, type TestKith } from '../../../test/helpers/kith';
import { generatePopulation } from '../generator/generate';
import { generatedToPatient } from '../generator/patient';
import { createMatcher } from '../matcher';
import { mulberry32 } from '../prng';
import { defaultRules } from '../rules';
import { UpdateSetCandidates } from './batch-update';
import { identityContext } from './install';

// Patients updated together (updateMany) have their records stored and candidates read by one
// statement for the set. That must decide exactly as the same updates do with one statement per
// Patient: same Persons, links, scores and evidence, reviews, keys, records and golden records.
// Updates copy other records' demographics (moves into their Person, in the same set too), change
// blocking fields, or change nothing identity reads; a small online block limit (4) makes the
// skipping of large blocks, as it shifts within a set, part of the comparison.
const LIMIT = 4;
const rules = { ...defaultRules, blocking: { ...defaultRules.blocking, onlineMaxBlockSize: LIMIT } };
const matcher = createMatcher(rules, identityContext().matcher.params);

let perRecord: TestKith;
let asSet: TestKith;
beforeAll(async () => {
  [perRecord, asSet] = await Promise.all([startTestKith(), startTestKith()]);
  for (const t of [perRecord, asSet]) identityContext(t.kith.store).matcher = matcher;
  identityContext(perRecord.kith.store).updateSets = false;
}, 400_000);
afterAll(async () => Promise.all([perRecord?.close(), asSet?.close()]));

const SET_SIZE = 12;
const data = generatePopulation({ seed: 33, records: 180 });
const patients = data.records.map((g, i) => generatedToPatient(g, `upd-${String(i).padStart(4, '0')}`));

/** Rounds of updates, each a list written by one updateMany, the same on both sides. */
function updateRounds(): Patient[][] {
  const random = mulberry32(7);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  const current = new Map(patients.map((p) => [p.id as string, structuredClone(p)]));
  const rounds: Patient[][] = [];
  for (let round = 0; round < 8; round++) {
    const ids = [...current.keys()].filter(() => random() < 0.4);
    const updates = ids.map((id, n) => {
      const p = structuredClone(current.get(id) as Patient);
      const kind = n % 4;
      if (kind === 0) {
        // Becomes another record's person: mostly one updated just before it in the same set, whose
        // new version only that set's own decisions can show.
        const inSet = n % SET_SIZE;
        const other = current.get(
          inSet > 0 && random() < 0.8 ? ids[n - 1 - Math.floor(random() * inSet)] : pick(ids),
        ) as Patient;
        Object.assign(p, {
          name: other.name,
          birthDate: other.birthDate,
          gender: other.gender,
          address: other.address,
          telecom: other.telecom,
        });
      } else if (kind === 1) {
        p.birthDate = `19${String(40 + Math.floor(random() * 60))}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`;
      } else if (kind === 2) {
        const other = current.get(pick([...current.keys()])) as Patient;
        p.name = [{ ...p.name?.[0], given: other.name?.[0]?.given }];
      } else {
        // A field identity does not read: the same keys and record.
        p.active = !(p.active ?? false);
      }
      current.set(id, p);
      return p;
    });
    rounds.push(updates);
  }
  return rounds;
}

describe('identity resolution of Patients updated together', () => {
  it('decides as one statement per Patient does, in the same order', async () => {
    for (const t of [perRecord, asSet])
      for (let i = 0; i < patients.length; i += 30) await t.kith.store.createMany(patients.slice(i, i + 30));
    const before = await personOfEach(asSet);
    // Persons founded by the creates, as the two sides named them (some lose every record later).
    const founded = new Map<string, string>();
    for (const [patient, person] of await personOfEach(perRecord))
      founded.set(person, before.get(patient) as string);
    const load = vi.spyOn(UpdateSetCandidates, 'load');
    for (const updates of updateRounds()) {
      for (const t of [perRecord, asSet]) {
        const calls = load.mock.calls.length;
        for (let i = 0; i < updates.length; i += SET_SIZE) {
          const settled = await t.kith.store.updateMany(
            updates.slice(i, i + SET_SIZE).map((resource) => ({ resource: structuredClone(resource) })),
          );
          for (const s of settled) expect('error' in s ? s.error : undefined).toBeUndefined();
        }
        // The per-record side never reads a set; the other reads one per updateMany of 2 or more.
        if (t === perRecord) expect(load.mock.calls.length).toBe(calls);
        else expect(load.mock.calls.length).toBeGreaterThan(calls);
      }
    }
    load.mockRestore();
    // The updates moved records between Persons, so the set's own decisions fed later ones.
    const after = await personOfEach(asSet);
    const moved = [...after].filter(([id, person]) => before.get(id) !== person);
    expect(moved.length).toBeGreaterThan(5);
    await sameIdentityState(perRecord, asSet, founded);
    foundedEarlier = founded;
  }, 400_000);

  it('counts a block without a record that left it earlier in the set', async () => {
    // Four records of one person fill each of her blocks to the limit, so a fifth is not compared
    // with them, until one of the four becomes someone else earlier in the same set.
    const ann = (id: string): Patient => ({
      resourceType: 'Patient',
      id,
      identifier: [{ system: 'urn:kith:test:mrn', value: id }],
      name: [{ family: 'Quarrington', given: ['Annabel'] }],
      gender: 'female',
      birthDate: '1971-04-12',
      address: [{ line: ['12 Elm St'], city: 'Fresno', state: 'CA', postalCode: '93701' }],
      telecom: [{ system: 'phone', value: '559-555-0142' }],
    });
    const anns = ['ann-1', 'ann-2', 'ann-3', 'ann-4'].map(ann);
    const other: Patient = {
      ...ann('horatio'),
      name: [{ family: 'Blenkinsop', given: ['Horatio'] }],
      gender: 'male',
      birthDate: '1988-09-30',
      address: [{ line: ['4 Pine Ave'], city: 'Visalia', state: 'CA', postalCode: '93277' }],
      telecom: [{ system: 'phone', value: '559-555-0987' }],
    };
    const founded = new Map(foundedEarlier);
    for (const t of [perRecord, asSet]) {
      for (const p of [...anns, other]) await t.kith.store.create(p, p.id);
    }
    const [a, b] = [await personOfEach(perRecord), await personOfEach(asSet)];
    for (const [patient, person] of a)
      if (!founded.has(person)) founded.set(person, b.get(patient) as string);
    expect(new Set(['ann-1', 'ann-2', 'ann-3', 'ann-4'].map((id) => b.get(id))).size).toBe(1);
    expect(b.get('horatio')).not.toBe(b.get('ann-1'));

    const becomesZeb: Patient = {
      ...ann('ann-4'),
      name: [{ family: 'Okonjo', given: ['Zebulon'] }],
      gender: 'male',
      birthDate: '1950-01-01',
      address: [{ line: ['900 Oak Rd'], city: 'Merced', state: 'CA', postalCode: '95340' }],
      telecom: [{ system: 'phone', value: '209-555-0111' }],
    };
    const becomesAnn: Patient = { ...ann('horatio') };
    for (const t of [perRecord, asSet]) {
      const settled = await t.kith.store.updateMany([{ resource: becomesZeb }, { resource: becomesAnn }]);
      for (const s of settled) expect('error' in s ? s.error : undefined).toBeUndefined();
      const persons = await personOfEach(t);
      expect(persons.get('horatio'), 'Horatio, now Annabel, joins her Person').toBe(persons.get('ann-1'));
    }
    await sameIdentityState(perRecord, asSet, founded);
  }, 400_000);

  it('rebuilds a Person from all its records when another joined it earlier in the set', async () => {
    // Each alone in its Person; the first becomes the second's person, then the second is updated
    // in the same set: its state, read with the writes, still says it is alone.
    const pair = [
      { id: 'tamsin', family: 'Featherstonehaugh', given: 'Tamsin', birthDate: '1964-02-29', zip: '93650' },
      { id: 'ignatius', family: 'Wolstenholme', given: 'Ignatius', birthDate: '1979-11-03', zip: '93727' },
    ].map((x): Patient => ({
      resourceType: 'Patient',
      id: x.id,
      identifier: [{ system: 'urn:kith:test:mrn', value: x.id }],
      name: [{ family: x.family, given: [x.given] }],
      gender: 'male',
      birthDate: x.birthDate,
      address: [{ line: ['7 Birch Ct'], city: 'Fresno', state: 'CA', postalCode: x.zip }],
      telecom: [{ system: 'phone', value: `559-555-0${x.zip.slice(2)}` }],
    }));
    for (const t of [perRecord, asSet]) {
      for (const p of pair) await t.kith.store.create(p, p.id);
      const { name, birthDate, address, telecom } = pair[1];
      const joins = { ...pair[0], name, birthDate, address, telecom };
      const settled = await t.kith.store.updateMany([
        { resource: joins },
        { resource: { ...pair[1], active: true } },
      ]);
      for (const s of settled) expect('error' in s ? s.error : undefined).toBeUndefined();
      const persons = await personOfEach(t);
      expect(persons.get('tamsin')).toBe(persons.get('ignatius'));
      const person = JSON.parse(
        (await t.kith.store.read('Person', persons.get('ignatius') as string)).json,
      ) as Person;
      expect(person.link?.map((l) => l.target.reference).sort()).toEqual([
        'Patient/ignatius',
        'Patient/tamsin',
      ]);
    }
  }, 400_000);
});

let foundedEarlier = new Map<string, string>();

async function personOfEach(t: TestKith): Promise<Map<string, string>> {
  const { rows } = await t.kith.db.pool.query('select patient_id, person_id from identity_links');
  return new Map(rows.map((r) => [r.patient_id as string, r.person_id as string]));
}

async function sameIdentityState(a: TestKith, b: TestKith, founded: Map<string, string>): Promise<void> {
  const q = async (t: TestKith, sql: string) => (await t.kith.db.pool.query(sql)).rows;
  const linksOf = async (t: TestKith) =>
    new Map((await q(t, 'select * from identity_links')).map((r) => [r.patient_id as string, r]));
  const [la, lb] = [await linksOf(a), await linksOf(b)];
  expect(lb.size).toBe(la.size);
  // Person ids are random on each side: map one side's to the other's.
  const personMap = new Map<string, string>();
  for (const [patient, x] of la) {
    const y = lb.get(patient);
    expect(y, patient).toBeDefined();
    const mapped = personMap.get(x.person_id);
    if (mapped === undefined) personMap.set(x.person_id, y.person_id);
    else expect(y.person_id, `Person of ${patient}`).toBe(mapped);
    expect(y.assurance, patient).toBe(x.assurance);
    expect(y.score, patient).toBe(x.score);
    expect(y.evidence, patient).toEqual(x.evidence);
  }
  expect(new Set(personMap.values()).size).toBe(personMap.size);
  for (const [x, y] of founded) {
    expect(personMap.get(x) ?? y, x).toBe(y);
    personMap.set(x, y);
  }

  const reviews = async (t: TestKith, persons?: Map<string, string>) =>
    (await q(t, 'select patient_id, candidate_patient_id, candidate_person_id, score from identity_review'))
      .map(
        (r) =>
          `${r.patient_id} ${r.candidate_patient_id} ${persons?.get(r.candidate_person_id) ?? r.candidate_person_id} ${r.score}`,
      )
      .sort();
  expect(await reviews(a, personMap)).toEqual(await reviews(b));

  const keys = async (t: TestKith) =>
    (await q(t, 'select patient_id, key, value from identity_keys'))
      .map((r) => `${r.patient_id} ${r.key} ${r.value}`)
      .sort();
  const keysB = await keys(b);
  expect(keysB).toEqual(await keys(a));
  const sizes = new Map<string, number>();
  for (const k of keysB) {
    const block = k.split(' ').slice(1).join(' ');
    sizes.set(block, (sizes.get(block) ?? 0) + 1);
  }
  // Some block is over the limit, so skipping large blocks took part.
  expect(Math.max(...sizes.values())).toBeGreaterThan(LIMIT);

  const records = async (t: TestKith) =>
    new Map(
      (await q(t, 'select patient_id, person_id, record, norm from identity_records')).map((r) => [
        r.patient_id as string,
        r,
      ]),
    );
  const [ra, rb] = [await records(a), await records(b)];
  expect(rb.size).toBe(ra.size);
  for (const [id, x] of ra) {
    expect(rb.get(id)?.record, id).toEqual(x.record);
    expect(rb.get(id)?.norm, id).toEqual(x.norm);
    expect(rb.get(id)?.person_id, id).toBe(personMap.get(x.person_id) ?? x.person_id);
  }

  const persons = async (t: TestKith) =>
    (await q(t, `select content from fhir_resources where resource_type = 'Person' and not deleted`)).map(
      (r) => (typeof r.content === 'string' ? JSON.parse(r.content) : r.content) as Person,
    );
  const comparable = (p: Person, id: string) => {
    const { meta: _meta, ...rest } = p;
    return {
      ...rest,
      id,
      link: [...(p.link ?? [])].sort((x, y) => (x.target.reference! < y.target.reference! ? -1 : 1)),
    };
  };
  const pb = new Map((await persons(b)).map((p) => [p.id as string, p]));
  const pa = await persons(a);
  expect(pb.size).toBe(pa.length);
  for (const p of pa) {
    const id = personMap.get(p.id as string) ?? (p.id as string);
    expect(comparable(pb.get(id) as Person, id), id).toEqual(comparable(p, id));
  }
}
