// Who may see what, end to end: one person's normal, PSY, ETH (Part 2), HIV and SDV data held by a
// clinic, read over the FHIR REST API by callers of every kind, through every read path. Each
// caller's expected set comes from the default policy (src/privacy/policy/README.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consent, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import type { TestKith } from '../helpers/kith';
import {
  privacyConsent,
  recipientOrganization,
  startPolicyWorld,
  type PolicyWorld,
} from '../helpers/privacy-world';
import type { FhirService } from '../../src/fhir/service';
import type { Caller } from '../../src/privacy/caller';
import { clientFor, org, user } from './policy-setup';

const LOINC = 'http://loinc.org';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

const CLINIC = org('clinic', 'provider', true);
const COUNTY = org('county', 'county-agency', true);
const CBO_A = org('cbo-a', 'cbo', false);
const CBO_B = org('cbo-b', 'cbo', false);
const REHAB = org('rehab', 'provider', true);
const HOSPITAL = org('hospital', 'provider', true);

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

const CALLERS: Record<string, Caller> = {
  clinic: user('clinic-nurse', CLINIC),
  county: user('county-clinician', COUNTY),
  'county-view': user('county-viewer', COUNTY, { accessLevel: 'view-only' }),
  'cbo-no-consent': user('cbo-a-worker', CBO_A),
  'cbo-consent': user('cbo-b-worker', CBO_B),
  'part2-named': user('rehab-counselor', REHAB),
  'part2-not-named': user('hospital-doctor', HOSPITAL),
  'break-glass': user('er-doctor', HOSPITAL, {
    purposeOfUse: 'ETREAT',
    breakGlass: { until: inAnHour(), reason: 'unconscious patient in the emergency room' },
  }),
  admin: user('admin', undefined, { roles: ['administrator'], purposeOfUse: 'HOPERAT' }),
};

const coded = (system: string, code: string) => ({ coding: [{ system, code }] });
const subject = { reference: 'Patient/p1' };
const DATA: Resource[] = [
  { resourceType: 'Patient', id: 'p1', name: [{ family: 'Matrixperson', given: ['Ana'] }] },
  {
    resourceType: 'Patient',
    id: 'p2',
    name: [{ family: 'Shelterclient' }],
    address: [{ city: 'Hiddenville' }],
    telecom: [{ system: 'phone', value: '555-0100' }],
    meta: { security: [{ system: ACT, code: 'SDV' }] },
  },
  { resourceType: 'Observation', id: 'obs-normal', status: 'final', code: coded(LOINC, '8867-4'), subject },
  { resourceType: 'Observation', id: 'obs-hiv', status: 'final', code: coded(LOINC, '75622-1'), subject },
  { resourceType: 'Observation', id: 'obs-sdv', status: 'final', code: coded(LOINC, '76501-6'), subject },
  { resourceType: 'Condition', id: 'cond-psy', code: coded(ICD10, 'F32.9'), subject },
  { resourceType: 'Condition', id: 'cond-eth', code: coded(ICD10, 'F10.20'), subject },
];

function consent(id: string, orgId: string, labels: string[] = []): Consent {
  return privacyConsent(id, 'p1', {
    type: 'permit',
    actor: [recipientOrganization(orgId)],
    ...(labels.length ? { securityLabel: labels.map((code) => ({ system: ACT, code })) } : {}),
  });
}

const ALL_P1 = [
  'Condition/cond-eth',
  'Condition/cond-psy',
  'Observation/obs-hiv',
  'Observation/obs-normal',
  'Observation/obs-sdv',
  'Patient/p1',
];

/** What each caller may see of the data set (p2 redacted where marked). */
const EXPECTED: Record<string, { p1: string[]; p2: 'full' | 'redacted' | 'hidden' }> = {
  admin: { p1: ALL_P1, p2: 'full' },
  clinic: { p1: ALL_P1, p2: 'full' }, // own records
  county: { p1: ['Observation/obs-normal', 'Patient/p1'], p2: 'redacted' },
  'county-view': { p1: ['Observation/obs-normal', 'Patient/p1'], p2: 'redacted' },
  'cbo-no-consent': { p1: [], p2: 'hidden' },
  'cbo-consent': { p1: ['Observation/obs-normal', 'Patient/p1'], p2: 'hidden' },
  'part2-named': { p1: ['Condition/cond-eth', 'Observation/obs-normal', 'Patient/p1'], p2: 'redacted' },
  'part2-not-named': { p1: ['Observation/obs-normal', 'Patient/p1'], p2: 'redacted' },
  'break-glass': { p1: ALL_P1, p2: 'full' },
};

let t: TestKith;
let app: FastifyInstance;
let system: FhirService;
let world: PolicyWorld;

beforeAll(async () => {
  // The clinic records its own data: it becomes the custodian, and the write path labels it.
  world = await startPolicyWorld({
    callers: CALLERS,
    organizations: [CLINIC, COUNTY, CBO_A, CBO_B, REHAB, HOSPITAL],
    data: DATA,
    writtenBy: 'clinic',
    consents: [consent('consent-cbo', 'cbo-b'), consent('consent-part2', 'rehab', ['ETH'])],
  });
  ({ t, app, system } = world);
}, 120_000);
afterAll(async () => world?.close());

const visibleP1 = (caller: string) => EXPECTED[caller].p1;
const ofType = (refs: string[], type: string) => refs.filter((r) => r.startsWith(`${type}/`));

describe('the write path labels what the clinic stores', () => {
  it('sets the sensitivity labels and the custodian by rule', async () => {
    const admin = clientFor(app, 'admin');
    const codes = async (ref: string) =>
      ((await admin.get(ref)).body.meta.security ?? []).map((c: any) => c.code).sort();
    expect(await codes('Condition/cond-psy')).toEqual(['PSY', 'R']);
    expect(await codes('Condition/cond-eth')).toEqual(['ETH', 'R']);
    expect(await codes('Observation/obs-hiv')).toEqual(['HIV', 'R']);
    expect(await codes('Observation/obs-sdv')).toEqual(['R', 'SDV']);
    expect(await codes('Observation/obs-normal')).toEqual([]);
    const { rows } = await t.kith.db.query(
      `select custodian, compartment from fhir_resources where resource_type = 'Observation' and id = 'obs-hiv'`,
    );
    expect(rows[0]).toEqual({ custodian: 'clinic', compartment: ['Patient/p1'] });
  });
});

describe.each(Object.keys(EXPECTED))('as %s', (caller) => {
  const c = () => clientFor(app, caller);

  it('reads exactly the permitted resources; the rest are not found', async () => {
    for (const ref of ALL_P1) {
      const res = await c().get(ref);
      expect([ref, res.status]).toEqual([ref, visibleP1(caller).includes(ref) ? 200 : 404]);
      if (res.status === 404) expect(res.body.resourceType).toBe('OperationOutcome');
    }
    const p2 = await c().get('Patient/p2');
    const expected = EXPECTED[caller].p2;
    expect(p2.status).toBe(expected === 'hidden' ? 404 : 200);
    if (expected === 'redacted') {
      expect(p2.body.address).toBeUndefined();
      expect(p2.body.telecom).toBeUndefined();
      expect(p2.body.name[0].family).toBe('Shelterclient');
      expect(p2.body.meta.security.map((s: any) => s.code)).toContain('REDACTED');
    }
    if (expected === 'full') expect(p2.body.address[0].city).toBe('Hiddenville');
  });

  it('searches, counts and pages only what it may see', async () => {
    const obs = ofType(visibleP1(caller), 'Observation');
    const cond = ofType(visibleP1(caller), 'Condition');
    expect(await c().refs('Observation?subject=Patient/p1')).toEqual(obs);
    expect(await c().refs('Condition?patient=p1')).toEqual(cond);
    expect(await c().total('Observation?subject=Patient/p1&_summary=count')).toBe(obs.length);
    expect(await c().total('Observation?subject=Patient/p1&_total=accurate&_count=1')).toBe(obs.length);
    // Sorted and paged one at a time: the pages together are the visible set, nothing more.
    const paged: string[] = [];
    for (let offset = 0; offset < 6; offset++)
      paged.push(
        ...(await c().refs(`Observation?subject=Patient/p1&_sort=-code&_count=1&_offset=${offset}`)),
      );
    expect(paged.sort()).toEqual(obs);
    // Across types (GET [base]?_type=...): the same visible set, in results and in the count.
    const ids = ALL_P1.filter((r) => /^(Observation|Condition)\//.test(r))
      .map((r) => r.split('/')[1])
      .join(',');
    const across = `?_type=Observation,Condition&_id=${ids}`;
    expect((await c().refs(`${across}&_count=100`)).sort()).toEqual([...obs, ...cond].sort());
    expect(await c().total(`${across}&_summary=count`)).toBe(obs.length + cond.length);
  });

  it('includes and revincludes only what it may see', async () => {
    const p1Visible = visibleP1(caller).includes('Patient/p1');
    const rev = await c().refs(
      'Patient?_id=p1&_revinclude=Observation:subject&_revinclude=Condition:subject',
    );
    expect(rev).toEqual(p1Visible ? visibleP1(caller) : []);
    const inc = await c().refs('Observation?subject=Patient/p1&_include=Observation:subject', 'include');
    const obs = ofType(visibleP1(caller), 'Observation');
    expect(inc).toEqual(obs.length && p1Visible ? ['Patient/p1'] : []);
  });

  it('chains and _has look only through what it may see', async () => {
    const obs = ofType(visibleP1(caller), 'Observation');
    const p1Visible = visibleP1(caller).includes('Patient/p1');
    expect(await c().refs('Observation?subject:Patient.name=Matrixperson')).toEqual(p1Visible ? obs : []);
    // _has through a hidden HIV test must not reveal that the person had one.
    const hivSeen = visibleP1(caller).includes('Observation/obs-hiv');
    expect(await c().refs(`Patient?_has:Observation:subject:code=${LOINC}|75622-1`)).toEqual(
      hivSeen ? ['Patient/p1'] : [],
    );
    expect(await c().total(`Patient?_has:Observation:subject:code=${LOINC}|75622-1&_summary=count`)).toBe(
      hivSeen ? 1 : 0,
    );
    const ethSeen = visibleP1(caller).includes('Condition/cond-eth');
    expect(await c().refs(`Patient?_has:Condition:subject:code=${ICD10}|F10.20`)).toEqual(
      ethSeen ? ['Patient/p1'] : [],
    );
    // A search on an element the redaction removes must not match the redacted person.
    const p2 = EXPECTED[caller].p2;
    expect(await c().refs('Patient?address-city=Hiddenville')).toEqual(p2 === 'full' ? ['Patient/p2'] : []);
    expect(await c().refs('Patient?name=Shelterclient')).toEqual(p2 === 'hidden' ? [] : ['Patient/p2']);
  });

  it('history and vread show only versions of what it may see', async () => {
    expect((await c().refs('Condition/_history')).sort()).toEqual(ofType(visibleP1(caller), 'Condition'));
    expect(await c().total('Observation/_history')).toBe(ofType(visibleP1(caller), 'Observation').length);
    for (const ref of ['Condition/cond-psy', 'Observation/obs-normal']) {
      const seen = visibleP1(caller).includes(ref);
      expect((await c().get(`${ref}/_history`)).status).toBe(seen ? 200 : 404);
      expect((await c().get(`${ref}/_history/1`)).status).toBe(seen ? 200 : 404);
    }
  });
});

describe('writes', () => {
  const obs = (id: string): Resource => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    code: coded(LOINC, '29463-7'),
    subject,
  });

  it('view-only may write nothing; edit may add care records it can read', async () => {
    const denied = await clientFor(app, 'county-view').put('Observation/w1', obs('w1'));
    expect(denied.status).toBe(403);
    expect(denied.body.issue[0].diagnostics).toContain('view-only-no-write');
    const created = await clientFor(app, 'county').put('Observation/w2', obs('w2'));
    expect(created.status).toBe(201);
  });

  it('answers a write to what the writer cannot read as a read of it: not known', async () => {
    const county = clientFor(app, 'county');
    const res = await county.put('Condition/cond-psy', {
      resourceType: 'Condition',
      id: 'cond-psy',
      code: coded(ICD10, 'F32.9'),
      subject,
      note: [{ text: 'overwritten' }],
    } as Resource);
    const read = await county.get('Condition/cond-psy');
    expect(read.status).toBe(404);
    expect(res.status).toBe(404);
    expect(res.body.resourceType).toBe('OperationOutcome');
    // The same words as the read: nothing about why (that would name the data's sensitivity).
    expect(res.body.issue[0].diagnostics).toBe(read.body.issue[0].diagnostics);
    const cbo = clientFor(app, 'cbo-no-consent');
    expect((await cbo.get('Observation/obs-normal')).status).toBe(404);
    expect((await cbo.delete('Observation/obs-normal')).status).toBe(404);
    expect((await clientFor(app, 'admin').get('Observation/obs-normal')).status).toBe(200);
    expect((await clientFor(app, 'admin').get('Condition/cond-psy')).body.note).toBeUndefined();
    // The refusal is audited with the rule that decided it.
    const deniedEvents = async () =>
      (
        await t.kith.db.query(
          `select event from audit_events where action = 'denied' and event like '%Condition/cond-psy%'`,
        )
      ).rows.map((r) => String(r.event));
    // Recorded after the write's transaction rolls back (group commit): wait for it.
    await expect.poll(async () => (await deniedEvents()).join('\n')).toContain('write-requires-read');
  });

  it('names the rule when the writer sees the stored resource but may not change it', async () => {
    const res = await clientFor(app, 'county-view').put('Observation/obs-normal', obs('obs-normal'));
    expect(res.status).toBe(403);
    expect(res.body.issue[0].diagnostics).toContain('view-only-no-write');
  });

  it('no caller at all is refused everything', async () => {
    const anon = clientFor(app, 'nobody');
    expect((await anon.get('Observation/obs-normal')).status).toBe(404);
    expect(await anon.refs('Observation')).toEqual([]);
    expect((await anon.put('Observation/w3', obs('w3'))).status).toBe(403);
  });
});

describe('transactions and batches', () => {
  it('answer each entry as the caller: hidden reads are not found, searches filtered', async () => {
    const res = await clientFor(app, 'county').post('', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: 'Condition/cond-psy' } },
        { request: { method: 'GET', url: 'Observation/obs-normal' } },
        { request: { method: 'GET', url: 'Observation?subject=Patient/p1' } },
      ],
    });
    expect(res.status).toBe(200);
    const [hidden, shown, search] = res.body.entry;
    expect(hidden.response.status).toMatch(/^404/);
    expect(shown.response.status).toMatch(/^200/);
    expect(shown.resource.id).toBe('obs-normal');
    const ids = (search.resource.entry ?? []).map((e: any) => e.resource.id).sort();
    expect(ids).toEqual(expect.arrayContaining(['obs-normal']));
    expect(ids).not.toContain('obs-hiv');
    expect(ids).not.toContain('obs-sdv');
  });

  it('a transaction with a forbidden entry writes nothing', async () => {
    const res = await clientFor(app, 'county').post('', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          request: { method: 'PUT', url: 'Observation/t1' },
          resource: {
            resourceType: 'Observation',
            id: 't1',
            status: 'final',
            code: coded(LOINC, '29463-7'),
            subject,
          },
        },
        {
          request: { method: 'DELETE', url: 'Condition/cond-psy' },
        },
      ],
    });
    // The DELETE names a resource the writer cannot see: not known, and the whole transaction fails.
    expect(res.status).toBe(404);
    expect((await clientFor(app, 'admin').get('Observation/t1')).status).toBe(404);
    expect((await clientFor(app, 'admin').get('Condition/cond-psy')).status).toBe(200);
  });
});

describe('consent', () => {
  it('a revoked consent takes effect on the next request', async () => {
    const cbo = clientFor(app, 'cbo-consent');
    expect((await cbo.get('Patient/p1')).status).toBe(200);
    await system.update('Consent', 'consent-cbo', { ...consent('consent-cbo', 'cbo-b'), status: 'inactive' });
    expect((await cbo.get('Patient/p1')).status).toBe(404);
    expect(await cbo.refs('Observation?subject=Patient/p1')).toEqual([]);
    await system.update('Consent', 'consent-cbo', consent('consent-cbo', 'cbo-b'));
    expect((await cbo.get('Patient/p1')).status).toBe(200);
  });
});

describe('audit', () => {
  it('records reads, searches, refusals and writes with the rule and policy version', async () => {
    await clientFor(app, 'break-glass').get('Condition/cond-psy');
    await clientFor(app, 'county').get('Condition/cond-psy');
    await clientFor(app, 'cbo-consent').refs('Observation?subject=Patient/p1');
    await clientFor(app, 'county').put('Observation/w9', {
      resourceType: 'Observation',
      id: 'w9',
      status: 'final',
      code: coded(LOINC, '29463-7'),
      subject,
    } as Resource);
    await (t.kith.store.access as any).flush();
    const { rows } = await t.kith.db.query(
      `select action, patients, event::jsonb as e from audit_events order by seq`,
    );
    const details = (e: any) =>
      Object.fromEntries(
        (e.entity ?? []).flatMap((x: any) => (x.detail ?? []).map((d: any) => [d.type, d.valueString])),
      );
    const who = (e: any) => e.agent?.[0]?.who?.identifier?.value;
    const bg = rows.filter((r) => who(r.e) === 'er-doctor' && r.action === 'read').at(-1)!;
    expect(details(bg.e)).toMatchObject({
      ruleId: 'break-glass',
      policyVersion: '2026.3.0',
      privileged: 'true',
    });
    expect(bg.patients).toEqual(['Patient/p1']);
    const refused = rows.filter((r) => who(r.e) === 'county-clinician' && r.action === 'denied').at(-1)!;
    expect(details(refused.e).ruleId).toBe('psy-needs-consent');
    expect(rows.some((r) => r.action === 'search' && who(r.e) === 'cbo-b-worker')).toBe(true);
    expect(rows.some((r) => r.action === 'create' && who(r.e) === 'county-clinician')).toBe(true);
    expect(rows.some((r) => r.action === 'consent-change')).toBe(false); // system consent writes: not a caller's
  });
});

describe('identity links', () => {
  it("a consent follows the person's other records when a Person links them", async () => {
    const cbo = clientFor(app, 'cbo-consent');
    await system.update('Patient', 'p3', {
      resourceType: 'Patient',
      id: 'p3',
      name: [{ family: 'Otherrecord' }],
      meta: {
        extension: [
          {
            url: 'https://kith.example.org/fhir/StructureDefinition/custodian',
            valueReference: { reference: 'Organization/county' },
          },
        ],
      },
    });
    expect((await cbo.get('Patient/p3')).status).toBe(404);
    const person = {
      resourceType: 'Person',
      id: 'person-p1',
      link: [{ target: { reference: 'Patient/p1' } }, { target: { reference: 'Patient/p3' } }],
    };
    await system.update('Person', 'person-p1', person);
    expect((await cbo.get('Patient/p3')).status).toBe(200);
    await system.update('Person', 'person-p1', { ...person, link: [person.link[0]] });
    expect((await cbo.get('Patient/p3')).status).toBe(404);
    expect((await cbo.get('Patient/p1')).status).toBe(200);
  });
});
