// Consents with several purposes and nested exceptions (IHE PCF), stored as FHIR Consents and read
// back through the policy on both of its paths: per resource (`decide`, reads) and in SQL
// (`visibilitySql`, searches and totals). The consent shapes are those the consent screen records
// (web/src/privacy/consent-resource.ts): a base provision and nested provisions of the opposite type
// that inherit what they do not state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import type { TestKith } from '../helpers/kith';
import {
  privacyConsent,
  RECIPIENT_ROLE,
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
const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const GROUP = 'https://kith.example.org/fhir/sid/consent-actor-group';

const CLINIC = org('clinic', 'provider', true);
const X = org('org-x', 'cbo', false);
const Y = org('org-y', 'cbo', false);
const W = org('org-w', 'cbo', false);
const COUNTY = org('county', 'county-agency', true);
const HOSPITAL = org('hospital', 'provider', true);

const CALLERS: Record<string, Caller> = {
  clinic: user('clinic-nurse', CLINIC),
  'x-coc': user('x-worker', X, { purposeOfUse: 'COC' }),
  'x-treat': user('x-treat', X, { purposeOfUse: 'TREAT' }),
  'x-payment': user('x-payment', X, { purposeOfUse: 'HPAYMT' }),
  'y-coc': user('y-worker', Y, { purposeOfUse: 'COC' }),
  'w-coc': user('w-worker', W, { purposeOfUse: 'COC' }),
  county: user('county-clinician', COUNTY, { purposeOfUse: 'TREAT' }),
  hospital: user('hospital-doctor', HOSPITAL, { purposeOfUse: 'TREAT' }),
};

const coded = (system: string, code: string) => ({ coding: [{ system, code }] });
const DATA: Resource[] = [
  { resourceType: 'Patient', id: 'p1', name: [{ family: 'Nested', given: ['Ana'] }] },
  { resourceType: 'Patient', id: 'p2', name: [{ family: 'Nested', given: ['Ben'] }] },
  ...['p1', 'p2'].flatMap((p): Resource[] => [
    {
      resourceType: 'Observation',
      id: `${p}-obs`,
      status: 'final',
      code: coded(LOINC, '8867-4'),
      subject: { reference: `Patient/${p}` },
    },
    {
      resourceType: 'Condition',
      id: `${p}-psy`,
      code: coded(ICD10, 'F32.9'),
      subject: { reference: `Patient/${p}` },
    },
    {
      resourceType: 'Condition',
      id: `${p}-eth`,
      code: coded(ICD10, 'F10.20'),
      subject: { reference: `Patient/${p}` },
    },
  ]),
];

const labels = (...codes: string[]) => codes.map((code) => ({ system: code === 'N' ? CONF : ACT, code }));

/** p1: permit X and Y normal, mental health and SUD data for care coordination or treatment,
 *  except SUD (42 CFR Part 2) data, and except mental health data for Y. */
const P1_CONSENT = privacyConsent('k-p1', 'p1', {
  type: 'permit',
  actor: [recipientOrganization('org-x'), recipientOrganization('org-y')],
  securityLabel: labels('N', 'PSY', 'ETH'),
  purpose: [
    { system: REASON, code: 'COC' },
    { system: REASON, code: 'TREAT' },
  ],
  provision: [
    { type: 'deny', securityLabel: labels('ETH') },
    { type: 'deny', actor: [recipientOrganization('org-y')], securityLabel: labels('PSY') },
  ],
});

/** p2: permit every covered entity mental health data for treatment, except the hospital. */
const P2_CONSENT = privacyConsent('k-p2', 'p2', {
  type: 'permit',
  actor: [{ role: RECIPIENT_ROLE, reference: { identifier: { system: GROUP, value: 'covered-entities' } } }],
  securityLabel: labels('PSY'),
  purpose: [{ system: REASON, code: 'TREAT' }],
  provision: [{ type: 'deny', actor: [recipientOrganization('hospital')] }],
});

let t: TestKith;
let app: FastifyInstance;
let system: FhirService;
let world: PolicyWorld;

beforeAll(async () => {
  world = await startPolicyWorld({
    callers: CALLERS,
    organizations: [CLINIC, X, Y, W, COUNTY, HOSPITAL],
    data: DATA,
    writtenBy: 'clinic',
    consents: [P1_CONSENT, P2_CONSENT],
  });
  ({ t, app, system } = world);
}, 120_000);
afterAll(async () => world?.close());

/** What a caller sees of one patient, by reading each resource and by searching (with totals). */
async function seen(caller: string, patient: string): Promise<{ read: string[]; searched: string[] }> {
  const c = clientFor(app, caller);
  const read: string[] = [];
  for (const r of DATA.filter((d) => d.id === patient || d.id!.startsWith(`${patient}-`))) {
    const res = await c.get(`${r.resourceType}/${r.id}`);
    if (res.status === 200) read.push(`${r.resourceType}/${r.id}`);
    else expect(res.status).toBe(404);
  }
  const searched = [
    ...(await c.refs(`Patient?_id=${patient}`)),
    ...(await c.refs(`Observation?subject=Patient/${patient}`)),
    ...(await c.refs(`Condition?subject=Patient/${patient}`)),
  ].sort();
  const totals =
    (await c.total(`Patient?_id=${patient}&_total=accurate`)) +
    (await c.total(`Observation?subject=Patient/${patient}&_total=accurate`)) +
    (await c.total(`Condition?subject=Patient/${patient}&_total=accurate`));
  expect(totals).toBe(searched.length);
  return { read: read.sort(), searched };
}

const both = (refs: string[]) => ({ read: [...refs].sort(), searched: [...refs].sort() });

describe('nested exceptions and several purposes, stored as FHIR Consents', () => {
  it('stores the consent as grant rows: the exceptions inherit recipients, labels and purposes', async () => {
    const { rows } = await t.kith.db.query(
      `select grantee, permit, depth, labels, purposes from consent_grants where consent_id = 'k-p1' order by seq`,
    );
    expect(rows.map((r: any) => `${r.grantee} ${r.permit} ${r.depth} ${r.labels} ${r.purposes}`)).toEqual([
      'org-x true 0 N,PSY,ETH COC,TREAT',
      'org-y true 0 N,PSY,ETH COC,TREAT',
      'org-x false 1 ETH COC,TREAT',
      'org-y false 1 ETH COC,TREAT',
      'org-y false 1 PSY COC,TREAT',
    ]);
  });

  it('X, for either purpose the consent names: normal and mental health data, not the Part 2 data excepted', async () => {
    const expected = both(['Patient/p1', 'Observation/p1-obs', 'Condition/p1-psy']);
    expect(await seen('x-coc', 'p1')).toEqual(expected);
    expect(await seen('x-treat', 'p1')).toEqual(expected);
  });

  it('X, for a purpose the consent does not name: nothing', async () => {
    expect(await seen('x-payment', 'p1')).toEqual(both([]));
  });

  it('Y, excepted for mental health data: normal data only', async () => {
    expect(await seen('y-coc', 'p1')).toEqual(both(['Patient/p1', 'Observation/p1-obs']));
  });

  it('an organization the consent does not name: nothing', async () => {
    expect(await seen('w-coc', 'p1')).toEqual(both([]));
  });

  it('covered entities see mental health data for treatment, except the one organization excepted', async () => {
    expect(await seen('county', 'p2')).toEqual(
      both(['Patient/p2', 'Observation/p2-obs', 'Condition/p2-psy']),
    );
    // The exception inherits the base's labels (PSY): the hospital keeps the covered-entity default for normal data.
    expect(await seen('hospital', 'p2')).toEqual(both(['Patient/p2', 'Observation/p2-obs']));
  });

  it('revoking the exception (a new version without it) opens the data on the next request', async () => {
    await system.update('Consent', 'k-p2', {
      ...P2_CONSENT,
      provision: { ...P2_CONSENT.provision!, provision: [] },
    });
    expect((await seen('hospital', 'p2')).read).toContain('Condition/p2-psy');
    await system.update('Consent', 'k-p2', P2_CONSENT);
    expect((await seen('hospital', 'p2')).read).not.toContain('Condition/p2-psy');
  });
});
