import type { Bundle, Patient, Person } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FHIR_HEADERS, startTestKith, type TestKith } from '../../../test/helpers/kith';
import type { PairScore } from '../score/model';
import { GOLDEN_SOURCE_URL } from './golden';
import { MATCH_EVIDENCE_URL } from './match-operation';

let t: TestKith;
beforeAll(async () => {
  t = await startTestKith();
}, 400_000);
afterAll(async () => t?.close());

interface P {
  given: string;
  family: string;
  birthDate: string;
  gender?: 'male' | 'female';
  ssn?: string;
  phone?: string;
  line?: string;
  city?: string;
  suffix?: string;
  source?: string;
  mrn?: string;
}

function patient(p: P): Patient {
  return {
    resourceType: 'Patient',
    meta: p.source ? { source: p.source } : undefined,
    identifier: [
      ...(p.ssn ? [{ system: 'http://hl7.org/fhir/sid/us-ssn', value: p.ssn }] : []),
      ...(p.mrn ? [{ system: `urn:kith:${p.source ?? 'x'}`, value: p.mrn }] : []),
    ],
    name: [{ family: p.family, given: [p.given], ...(p.suffix ? { suffix: [p.suffix] } : {}) }],
    gender: p.gender ?? 'male',
    birthDate: p.birthDate,
    telecom: p.phone ? [{ system: 'phone', value: p.phone }] : undefined,
    address: p.line
      ? [{ line: [p.line], city: p.city ?? 'Oakland', state: 'CA', postalCode: '94601' }]
      : undefined,
  };
}

async function create(p: P): Promise<string> {
  const r = await t.kith.store.create(patient(p));
  return r.resource.id as string;
}

/** Patient/$match of `p`, asking for at most `count` candidates; the answer must be 200. */
async function match(p: P, count: number): Promise<Bundle<Patient>> {
  const res = await t.inject({
    method: 'POST',
    url: '/fhir/Patient/$match',
    headers: FHIR_HEADERS,
    payload: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'resource', resource: patient(p) },
        { name: 'count', valueInteger: count },
      ],
    },
  });
  expect(res.statusCode).toBe(200);
  return res.json() as Bundle<Patient>;
}

async function personOf(patientId: string): Promise<{ personId: string; assurance: string }> {
  const { rows } = await t.kith.db.pool.query(
    'select person_id, assurance from identity_links where patient_id = $1',
    [patientId],
  );
  expect(rows).toHaveLength(1);
  return { personId: rows[0].person_id, assurance: rows[0].assurance };
}

describe('online matching on every Patient write', () => {
  it('creates a Person for a new record and links a nickname/typo variant from another source to it', async () => {
    const a = await create({
      given: 'William',
      family: 'Hernandez-Ortiz',
      birthDate: '1971-04-12',
      ssn: '512-44-9087',
      phone: '(510) 555-0142',
      line: '1450 Fruitvale Ave Apt 3',
      source: 'calsaws',
      mrn: 'C100',
    });
    const pa = await personOf(a);
    expect(pa.assurance).toBe('level1');
    const b = await create({
      given: 'Bill',
      family: 'Hernandez Ortiz',
      birthDate: '1971-04-12',
      ssn: '512-44-9087',
      phone: '510-555-0142',
      line: '1450 Fruitvale Avenue #3',
      source: 'hmis',
      mrn: 'H9',
    });
    const pb = await personOf(b);
    expect(pb.personId).toBe(pa.personId);
    expect(pb.assurance).toBe('level3');
    const person = await t.kith.store.readResource<Person>('Person', pa.personId);
    expect(person.link?.map((l) => l.target.reference).sort()).toEqual(
      [`Patient/${a}`, `Patient/${b}`].sort(),
    );
    expect(person.extension?.filter((e) => e.url === GOLDEN_SOURCE_URL).length).toBeGreaterThan(3);
    const { rows } = await t.kith.db.pool.query(
      'select rule_version, evidence from identity_links where patient_id = $1',
      [b],
    );
    expect(rows[0].rule_version).toBeTruthy();
    expect(rows[0].evidence.fields.length).toBeGreaterThan(3);
  }, 120_000);

  it('keeps twins and Jr/Sr apart', async () => {
    const base = {
      family: 'Nguyen',
      birthDate: '2004-09-30',
      phone: '5105550199',
      line: '22 E 14th St',
      source: 'wic',
    };
    const t1 = await create({ ...base, given: 'Anh', gender: 'female' });
    const t2 = await create({ ...base, given: 'Minh', gender: 'male' });
    expect((await personOf(t1)).personId).not.toBe((await personOf(t2)).personId);

    const sr = await create({
      given: 'Robert',
      family: 'Jackson',
      suffix: 'Sr',
      birthDate: '1950-02-02',
      line: '9 Oak St',
      phone: '5105550111',
    });
    const jr = await create({
      given: 'Robert',
      family: 'Jackson',
      suffix: 'Jr',
      birthDate: '1980-02-02',
      line: '9 Oak St',
      phone: '5105550111',
    });
    expect((await personOf(sr)).personId).not.toBe((await personOf(jr)).personId);
  }, 120_000);

  it('gives one Person to concurrent creates of the same person', async () => {
    const p: P = {
      given: 'Guadalupe',
      family: 'Ramirez',
      birthDate: '1988-11-03',
      ssn: '601-22-3344',
      phone: '5105550177',
      line: '300 International Blvd',
      gender: 'female',
    };
    const ids = await Promise.all(
      ['clinic', 'jail', 'cbo', 'wic', 'hmis'].map((source, k) =>
        create({ ...p, given: k % 2 ? 'Lupe' : 'Guadalupe', source }),
      ),
    );
    const { rows } = await t.kith.db.pool.query(
      'select count(*)::int as n, count(distinct person_id)::int as persons from identity_links where patient_id = any($1::text[])',
      [ids],
    );
    expect(rows[0]).toEqual({ n: 5, persons: 1 });
    const person = await t.kith.store.readResource<Person>('Person', (await personOf(ids[0])).personId);
    expect(person.link).toHaveLength(5);
  }, 120_000);

  it('answers Patient/$match with scores and match grades', async () => {
    await create({
      given: 'Francisco',
      family: 'Delgado',
      birthDate: '1965-07-21',
      ssn: '455-10-2020',
      phone: '5105550155',
      line: '77 Foothill Blvd',
    });
    const bundle = await match(
      {
        given: 'Paco',
        family: 'Delgado',
        birthDate: '1965-07-21',
        ssn: '455-10-2020',
        phone: '5105550155',
        line: '77 Foothill Boulevard',
      },
      5,
    );
    expect(bundle.type).toBe('searchset');
    const first = bundle.entry?.[0];
    expect(first?.resource?.name?.[0].family).toBe('Delgado');
    expect(first?.search?.score).toBeGreaterThan(0.9);
    expect(first?.search?.extension?.[0].valueCode).toBe('certain');
    // The evidence says why: per-field levels and weights, the nickname counted as agreement.
    const evidence = JSON.parse(
      first?.search?.extension?.find((e) => e.url === MATCH_EVIDENCE_URL)?.valueString ?? '{}',
    ) as PairScore;
    expect(evidence.decision).toBe('match');
    const given = evidence.fields.find((f) => f.field === 'given');
    expect(given?.level).toMatch(/nickname/);
    expect(given?.weight).toBeGreaterThan(0);
    expect(evidence.fields.find((f) => f.field === 'ssn')?.level).toBe('exact');
  }, 120_000);

  it('matches alike against records stored normalized and records stored before that form (read raw)', async () => {
    const base = { family: 'Whitcombe', birthDate: '1971-11-03', line: '410 Linden St', city: 'Hayward' };
    const ids = [
      await create({ ...base, given: 'Margaret', ssn: '512-33-9081', phone: '5105550123' }),
      await create({ ...base, given: 'Peggy', phone: '5105550123' }),
      await create({ ...base, given: 'Marguerite', birthDate: '1971-03-11' }),
    ];
    const { rows } = await t.kith.db.pool.query(
      "select count(*)::int as n from identity_records where patient_id = any($1) and norm->>'v' = '1'",
      [ids],
    );
    expect(rows[0].n).toBe(3);
    const matchMaggie = async () =>
      ((await match({ ...base, given: 'Maggie', phone: '(510) 555-0123' }, 10)).entry ?? []).map((e) => ({
        id: e.resource?.id,
        search: e.search,
      }));
    const normalized = await matchMaggie();
    expect(normalized.map((e) => e.id)).toEqual(expect.arrayContaining(ids.slice(0, 2)));
    const setNorm = (sql: string) =>
      t.kith.db.pool.query(`update identity_records set norm = ${sql} where patient_id = any($1)`, [ids]);
    // As a database loaded before the column: no stored form.
    await setNorm('null');
    expect(await matchMaggie()).toEqual(normalized);
    // A stored form of another normalization version is not used.
    await setNorm(`jsonb_build_object('v', 0, 'id', patient_id)`);
    expect(await matchMaggie()).toEqual(normalized);
    await setNorm('null');
  }, 120_000);

  it("resolves a transaction Bundle's Patients as one-at-a-time would: a stored match, two records of one new person, a stranger", async () => {
    const stored = await create({
      given: 'Rosalind',
      family: 'Okafor-Bell',
      birthDate: '1983-02-14',
      ssn: '623-11-4432',
      phone: '(510) 555-0199',
      line: '22 Harbor Way',
      source: 'calsaws',
    });
    const entries: P[] = [
      {
        given: 'Rosalind',
        family: 'Okafor Bell',
        birthDate: '1983-02-14',
        ssn: '623-11-4432',
        phone: '510-555-0199',
        line: '22 Harbor Way',
        source: 'hmis',
      },
      {
        given: 'Guadalupe',
        family: 'Soto',
        birthDate: '1990-09-03',
        ssn: '734-20-1188',
        phone: '5105550123',
        line: '9 Lake St',
        gender: 'female',
        source: 'clinic',
      },
      {
        given: 'Lupe',
        family: 'Soto',
        birthDate: '1990-09-03',
        ssn: '734-20-1188',
        phone: '(510) 555-0123',
        line: '9 Lake Street',
        gender: 'female',
        source: 'wic',
      },
      { given: 'Tobias', family: 'Lindqvist', birthDate: '1958-12-30', ssn: '845-33-9021', source: 'jail' },
    ];
    const res = await t.inject({
      method: 'POST',
      url: '/fhir',
      headers: FHIR_HEADERS,
      payload: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: entries.map((p, i) => ({
          fullUrl: `urn:uuid:00000000-0000-4000-8000-00000000000${i}`,
          resource: patient(p),
          request: { method: 'POST', url: 'Patient' },
        })),
      } satisfies Bundle,
    });
    expect(res.statusCode).toBe(200);
    const ids = (res.json() as Bundle).entry!.map((e) => e.response!.location!.split('/')[1]);
    const [match, lupe1, lupe2, stranger] = await Promise.all(ids.map(personOf));
    const first = await personOf(stored);
    expect(match).toEqual({ personId: first.personId, assurance: 'level3' });
    expect(lupe2).toEqual({ personId: lupe1.personId, assurance: 'level3' });
    expect(lupe1.personId).not.toBe(first.personId);
    expect(stranger.personId).not.toBe(lupe1.personId);
    expect(stranger.personId).not.toBe(first.personId);
    const links = async (personId: string) =>
      ((await t.kith.store.readResource<Person>('Person', personId)).link ?? [])
        .map((l) => l.target.reference)
        .sort();
    expect(await links(first.personId)).toEqual([`Patient/${stored}`, `Patient/${ids[0]}`].sort());
    expect(await links(lupe1.personId)).toEqual([`Patient/${ids[1]}`, `Patient/${ids[2]}`].sort());
    expect(await links(stranger.personId)).toEqual([`Patient/${ids[3]}`]);
  });
});
