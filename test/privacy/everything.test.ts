// Patient/[id]/$everything is a search across the Patient compartment run through the caller's
// policy filter: permit, deny and redact as for any read path, totals and paging that never count
// hidden data, each call one `export` AuditEvent, and declared in the CapabilityStatement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import type { TestKith } from '../helpers/kith';
import {
  privacyConsent,
  recipientOrganization,
  startPolicyWorld,
  type PolicyWorld,
} from '../helpers/privacy-world';
import { capabilityStatement } from '../../src/fhir/capability';
import type { Caller } from '../../src/privacy/caller';
import { clientFor, org, user } from './policy-setup';

const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const CLINIC = org('ev-clinic', 'provider', true);
const X = org('ev-cbo-x', 'cbo', false);
const W = org('ev-cbo-w', 'cbo', false);
const CALLERS: Record<string, Caller> = {
  clinic: user('ev-nurse', CLINIC),
  x: user('ev-x', X, { purposeOfUse: 'COC' }),
  w: user('ev-w', W, { purposeOfUse: 'COC' }),
  'x-no-obs': user('ev-x2', X, {
    purposeOfUse: 'COC',
    scopes: [
      { context: 'user', type: 'Patient', ops: 'rs' },
      { context: 'user', type: 'Condition', ops: 'rs' },
    ],
  }),
};

const subject = { reference: 'Patient/ev1' };
const DATA: Resource[] = [
  {
    resourceType: 'Patient',
    id: 'ev1',
    name: [{ family: 'Everything' }],
    address: [{ city: 'Shelterville' }],
    meta: { security: [{ system: ACT, code: 'SDV' }] },
  },
  { resourceType: 'Observation', id: 'ev1-obs', status: 'final', code: { text: 'weight' }, subject },
  { resourceType: 'Condition', id: 'ev1-htn', code: { coding: [{ system: ICD10, code: 'I10' }] }, subject },
  { resourceType: 'Condition', id: 'ev1-psy', code: { coding: [{ system: ICD10, code: 'F32.9' }] }, subject },
  // Another person's data never comes along.
  { resourceType: 'Patient', id: 'ev2', name: [{ family: 'Other' }] },
  {
    resourceType: 'Observation',
    id: 'ev2-obs',
    status: 'final',
    code: { text: 'weight' },
    subject: { reference: 'Patient/ev2' },
  },
];
// Normal data to X; not the SDV label, so the Patient comes redacted.
const CONSENT = privacyConsent('ev-k', 'ev1', {
  type: 'permit',
  actor: [recipientOrganization('ev-cbo-x')],
});

let t: TestKith;
let app: FastifyInstance;
let world: PolicyWorld;
beforeAll(async () => {
  world = await startPolicyWorld({
    callers: CALLERS,
    organizations: [CLINIC, X, W],
    data: DATA,
    writtenBy: 'clinic',
    consents: [CONSENT],
  });
  ({ t, app } = world);
}, 120_000);
afterAll(async () => world?.close());

const URL = 'Patient/ev1/$everything';
/** The identity service links each Patient to a Person of its own (random id): named by type only. */
const refsOf = async (c: ReturnType<typeof clientFor>, url: string) =>
  (await c.refs(url)).map((r) => (r.startsWith('Person/') ? 'Person/*' : r));
const PAGED = `${URL}?_type=Patient,Observation,Condition`;

describe('Patient/$everything under the policy', () => {
  it('the custodian gets the whole compartment, the Patient unredacted, and nobody else’s data', async () => {
    const c = clientFor(app, 'clinic');
    const res = await c.get(URL);
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('searchset');
    const refs = await refsOf(c, URL);
    expect(refs).toEqual([
      'Condition/ev1-htn',
      'Condition/ev1-psy',
      'Consent/ev-k',
      'Observation/ev1-obs',
      'Patient/ev1',
      'Person/*',
    ]);
    expect(res.body.total).toBe(6);
    const patient = res.body.entry.find((e: any) => e.resource.resourceType === 'Patient').resource;
    expect(patient.address[0].city).toBe('Shelterville');
  });

  it('a CBO with consent for normal data: no mental health data, the protected address removed', async () => {
    const c = clientFor(app, 'x');
    const res = await c.get(URL);
    expect(res.status).toBe(200);
    expect(await refsOf(c, URL)).toEqual([
      'Condition/ev1-htn',
      'Consent/ev-k',
      'Observation/ev1-obs',
      'Patient/ev1',
      'Person/*',
    ]);
    expect(res.body.total).toBe(5);
    const patient = res.body.entry.find((e: any) => e.resource.resourceType === 'Patient').resource;
    expect(patient.address).toBeUndefined();
    expect(patient.name[0].family).toBe('Everything');
  });

  it('a SMART scope without Observation leaves Observations out', async () => {
    expect(await clientFor(app, 'x-no-obs').refs(URL)).toEqual(['Condition/ev1-htn', 'Patient/ev1']);
    // (Nor Consent or Person: the scopes grant Patient and Condition only.)
  });

  it('a CBO without consent: the Patient is not known', async () => {
    expect((await clientFor(app, 'w').get(URL)).status).toBe(404);
  });

  it('_type, _since and paging: totals count only what the caller may see', async () => {
    const c = clientFor(app, 'x');
    expect(await c.refs(`${URL}?_type=Condition`)).toEqual(['Condition/ev1-htn']);
    expect((await c.get(`${URL}?_type=Organization`)).status).toBe(400);
    expect(await c.refs(`${URL}?_since=2999-01-01T00:00:00Z`)).toEqual([]);
    const first = await c.get(`${PAGED}&_count=2`);
    expect(first.body.entry).toHaveLength(2);
    expect(first.body.total).toBe(3);
    const next = first.body.link.find((l: any) => l.relation === 'next').url as string;
    const second = await c.get(next.slice(next.indexOf('Patient/')));
    expect(second.body.entry).toHaveLength(1);
    const seen = [...first.body.entry, ...second.body.entry].map(
      (e: any) => `${e.resource.resourceType}/${e.resource.id}`,
    );
    expect(seen.sort()).toEqual(['Condition/ev1-htn', 'Observation/ev1-obs', 'Patient/ev1']);
  });

  it('each export is one AuditEvent (DICOM Export, Kith subtype export, operation $everything)', async () => {
    await clientFor(app, 'x').get(URL);
    const { rows } = await t.kith.db.query(
      `select action, patients, event::jsonb as e from audit_events where action = 'export' order by seq desc limit 1`,
    );
    expect(rows).toHaveLength(1);
    const e = rows[0].e;
    expect(rows[0].patients).toContain('Patient/ev1');
    expect(e.type.code).toBe('110106');
    expect(e.subtype.map((s: any) => s.code)).toContain('export');
    const text = JSON.stringify(e);
    expect(text).toContain('$everything');
    expect(text).toContain('Observation/ev1-obs');
    expect(text).not.toContain('Condition/ev1-psy');
    expect(text).toContain('ev-x');
  });

  it('is declared in the CapabilityStatement on Patient', () => {
    const cs = capabilityStatement('http://kith.test/fhir');
    const patient = cs.rest![0].resource!.find((r) => r.type === 'Patient')!;
    expect(patient.operation).toContainEqual({
      name: 'everything',
      definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
    });
    const obs = cs.rest![0].resource!.find((r) => r.type === 'Observation')!;
    expect((obs.operation ?? []).map((o) => o.name)).not.toContain('everything');
  });
});
