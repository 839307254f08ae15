// Bulk Data $export (system, Patient and Group level) runs each type's pages as the caller, through
// the same policy filter and redaction as any search: consent, labels and scopes decide what leaves.
// Jobs are stored, answer only their owner, and each is one `export` AuditEvent.
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
import { org, user } from './policy-setup';

const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const CLINIC = org('bx-clinic', 'provider', true);
const X = org('bx-cbo-x', 'cbo', false);
const W = org('bx-cbo-w', 'cbo', false);
const CALLERS: Record<string, Caller> = {
  admin: user('bx-admin', undefined, { roles: ['administrator'], purposeOfUse: 'HOPERAT' }),
  clinic: user('bx-nurse', CLINIC),
  x: user('bx-x', X, { purposeOfUse: 'COC' }),
  w: user('bx-w', W, { purposeOfUse: 'COC' }),
  'x-no-obs': user('bx-x2', X, {
    purposeOfUse: 'COC',
    scopes: [
      { context: 'user', type: 'Patient', ops: 'rs' },
      { context: 'user', type: 'Condition', ops: 'rs' },
    ],
  }),
};

const subject = { reference: 'Patient/bx1' };
const DATA: Resource[] = [
  {
    resourceType: 'Patient',
    id: 'bx1',
    name: [{ family: 'Exported' }],
    address: [{ city: 'Shelterville' }],
    meta: { security: [{ system: ACT, code: 'SDV' }] },
  },
  { resourceType: 'Observation', id: 'bx1-obs', status: 'final', code: { text: 'weight' }, subject },
  { resourceType: 'Condition', id: 'bx1-htn', code: { coding: [{ system: ICD10, code: 'I10' }] }, subject },
  // Labelled PSY and ETH by the code rules: withheld from a CBO whose consent names normal data only.
  { resourceType: 'Condition', id: 'bx1-psy', code: { coding: [{ system: ICD10, code: 'F32.9' }] }, subject },
  {
    resourceType: 'Condition',
    id: 'bx1-eth',
    code: { coding: [{ system: ICD10, code: 'F10.20' }] },
    subject,
  },
  { resourceType: 'Patient', id: 'bx2', name: [{ family: 'Other' }] },
  {
    resourceType: 'Observation',
    id: 'bx2-obs',
    status: 'final',
    code: { text: 'weight' },
    subject: { reference: 'Patient/bx2' },
  },
  { resourceType: 'Patient', id: 'bx3', name: [{ family: 'Third' }] },
  {
    resourceType: 'Group',
    id: 'bx-group',
    type: 'person',
    actual: true,
    member: [{ entity: { reference: 'Patient/bx1' } }, { entity: { reference: 'Patient/bx3' } }],
  },
];
const CONSENT = privacyConsent('bx-k', 'bx1', {
  type: 'permit',
  actor: [recipientOrganization('bx-cbo-x')],
});

let t: TestKith;
let app: FastifyInstance;
let world: PolicyWorld;
beforeAll(async () => {
  world = await startPolicyWorld({
    callers: CALLERS,
    organizations: [CLINIC, X, W],
    data: DATA,
    consents: [CONSENT],
  });
  ({ t, app } = world);
}, 120_000);
afterAll(async () => world?.close());

type Res = { status: number; headers: Record<string, unknown>; body: string };
async function call(caller: string, method: 'GET' | 'DELETE', url: string, async = true): Promise<Res> {
  const res = await app.inject({
    method,
    url: url.replace(/^http:\/\/[^/]+/, ''),
    headers: { 'x-test-caller': caller, ...(async ? { prefer: 'respond-async' } : {}) },
  });
  return { status: res.statusCode, headers: res.headers, body: res.body };
}

/** Kicks off an export and returns its status URL. */
async function kickOff(caller: string, path: string): Promise<string> {
  const res = await call(caller, 'GET', `/fhir/${path}`);
  expect(res.status, res.body).toBe(202);
  return String(res.headers['content-location']);
}

interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count: number }[];
  error: unknown[];
}

/** Polls the status URL until the job is done (202 while running). */
async function manifestOf(caller: string, statusUrl: string): Promise<Manifest> {
  for (let i = 0; i < 200; i++) {
    const res = await call(caller, 'GET', statusUrl);
    if (res.status === 200) return JSON.parse(res.body) as Manifest;
    expect(res.status, res.body).toBe(202);
    expect(res.headers['x-progress']).toBeTruthy();
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`export ${statusUrl} did not finish`);
}

/** Every exported resource as `Type/id`, sorted, read from the output files. */
async function exported(caller: string, path: string): Promise<{ refs: string[]; resources: Resource[] }> {
  const manifest = await manifestOf(caller, await kickOff(caller, path));
  const resources: Resource[] = [];
  for (const out of manifest.output) {
    const file = await call(caller, 'GET', out.url);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toContain('application/fhir+ndjson');
    const lines = file.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Resource);
    expect(lines).toHaveLength(out.count);
    expect(lines.every((r) => r.resourceType === out.type)).toBe(true);
    resources.push(...lines);
  }
  const refs = resources.map((r) => `${r.resourceType}/${r.id}`).sort();
  return { refs, resources };
}

const TYPES = '_type=Patient,Observation,Condition,Group';

describe('$export under the policy', () => {
  it('an administrator’s system export gets everything, labelled data included', async () => {
    const { refs } = await exported('admin', `$export?${TYPES}&_outputFormat=application/fhir%2Bndjson`);
    expect(refs).toEqual([
      'Condition/bx1-eth',
      'Condition/bx1-htn',
      'Condition/bx1-psy',
      'Group/bx-group',
      'Observation/bx1-obs',
      'Observation/bx2-obs',
      'Patient/bx1',
      'Patient/bx2',
      'Patient/bx3',
    ]);
  });

  it('a CBO without consent gets none of the person’s data', async () => {
    for (const path of [`$export?${TYPES}`, 'Patient/$export'])
      expect((await exported('w', path)).refs.filter((r) => r.includes('bx1'))).toEqual([]);
  });

  it('a CBO with consent: permitted data, no PSY or ETH, the protected address removed, no one else', async () => {
    const { refs, resources } = await exported('x', 'Patient/$export?_outputFormat=ndjson');
    expect(refs.filter((r) => !r.startsWith('Person/'))).toEqual([
      'Condition/bx1-htn',
      'Consent/bx-k',
      'Observation/bx1-obs',
      'Patient/bx1',
    ]);
    const patient = resources.find((r) => r.resourceType === 'Patient') as any;
    expect(patient.address).toBeUndefined();
    expect(patient.name[0].family).toBe('Exported');
  });

  it('Group level: only the members’ compartments', async () => {
    const { refs } = await exported('admin', 'Group/bx-group/$export?_type=Patient,Observation,Condition');
    expect(refs).toEqual([
      'Condition/bx1-eth',
      'Condition/bx1-htn',
      'Condition/bx1-psy',
      'Observation/bx1-obs',
      'Patient/bx1',
      'Patient/bx3',
    ]);
    // A covered entity for treatment: the members' unrestricted data (PSY and ETH need consent).
    expect(
      (await exported('clinic', 'Group/bx-group/$export?_type=Patient,Observation,Condition')).refs,
    ).toEqual(['Condition/bx1-htn', 'Observation/bx1-obs', 'Patient/bx1', 'Patient/bx3']);
    // A Group the caller may not read is not known, as its read.
    expect((await call('x', 'GET', '/fhir/Group/bx-group/$export')).status).toBe(404);
  });

  it('_type and _since limit the export; a type outside the compartment is refused', async () => {
    expect((await exported('x', 'Patient/$export?_type=Condition')).refs).toEqual(['Condition/bx1-htn']);
    expect((await exported('clinic', `$export?${TYPES}&_since=2999-01-01T00:00:00Z`)).refs).toEqual([]);
    expect((await call('x', 'GET', '/fhir/Patient/$export?_type=Organization')).status).toBe(400);
    expect((await call('x', 'GET', '/fhir/$export?_since=yesterday')).status).toBe(400);
    expect((await call('x', 'GET', '/fhir/$export?_outputFormat=text/csv')).status).toBe(400);
  });

  it('SMART scopes: a type they do not open is refused, and left out when not named', async () => {
    expect((await call('x-no-obs', 'GET', '/fhir/Patient/$export?_type=Observation')).status).toBe(403);
    const { refs } = await exported('x-no-obs', 'Patient/$export');
    expect(refs).toEqual(['Condition/bx1-htn', 'Patient/bx1']);
  });

  it('without Prefer: respond-async the kick-off is a 400 naming the header', async () => {
    const res = await call('admin', 'GET', '/fhir/$export', false);
    expect(res.status).toBe(400);
    const outcome = JSON.parse(res.body);
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0].diagnostics).toContain('Prefer: respond-async');
  });

  it('only the owner reads the status and files; the job survives polls and is removed by DELETE', async () => {
    const status = await kickOff('clinic', `$export?${TYPES}`);
    const manifest = await manifestOf('clinic', status);
    expect(manifest.requiresAccessToken).toBe(true);
    expect(manifest.error).toEqual([]);
    expect(manifest.request).toContain('$export?_type=');
    expect(Date.parse(manifest.transactionTime)).not.toBeNaN();
    // Polled again after completion: the same manifest, from the stored job.
    expect(await manifestOf('clinic', status)).toEqual(manifest);
    const file = manifest.output[0]!.url;
    for (const other of ['x', 'admin']) {
      expect((await call(other, 'GET', status)).status).toBe(404);
      expect((await call(other, 'GET', file)).status).toBe(404);
      expect((await call(other, 'DELETE', status)).status).toBe(404);
    }
    expect((await call('clinic', 'DELETE', status)).status).toBe(202);
    expect((await call('clinic', 'GET', status)).status).toBe(404);
    expect((await call('clinic', 'GET', file)).status).toBe(404);
  });

  it('each job is one export AuditEvent naming what left and whose data', async () => {
    const before = await t.kith.db.query(
      `select count(*)::int as n from audit_events where action = 'export'`,
    );
    await exported('x', 'Patient/$export?_type=Patient,Observation,Condition');
    const { rows } = await t.kith.db.query(
      `select patients, event::jsonb as e from audit_events where action = 'export' order by seq`,
    );
    expect(rows).toHaveLength(before.rows[0].n + 1);
    const last = rows[rows.length - 1];
    expect(last.patients).toContain('Patient/bx1');
    expect(last.patients).not.toContain('Patient/bx2');
    expect(last.e.type.code).toBe('110106');
    const text = JSON.stringify(last.e);
    expect(text).toContain('$export');
    expect(text).toContain('Observation/bx1-obs');
    expect(text).not.toContain('Condition/bx1-psy');
    expect(text).toContain('bx-x');
  });

  it('runs through the real server with access tokens: kick-off, status, file; no token, no file', async () => {
    const kick = await t.inject({
      method: 'GET',
      url: '/fhir/Patient/$export?_type=Patient',
      headers: { prefer: 'respond-async' },
    });
    expect(kick.statusCode, kick.body).toBe(202);
    const status = String(kick.headers['content-location']).replace(/^http:\/\/[^/]+/, '');
    let res = await t.inject({ method: 'GET', url: status });
    for (let i = 0; i < 200 && res.statusCode === 202; i++) {
      await new Promise((r) => setTimeout(r, 25));
      res = await t.inject({ method: 'GET', url: status });
    }
    expect(res.statusCode, res.body).toBe(200);
    const manifest = JSON.parse(res.body) as Manifest;
    const url = manifest.output.find((o) => o.type === 'Patient')!.url.replace(/^http:\/\/[^/]+/, '');
    const file = await t.inject({ method: 'GET', url });
    expect(file.statusCode).toBe(200);
    const ids = file.body
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as Resource).id);
    expect(ids).toEqual(expect.arrayContaining(['bx1', 'bx2', 'bx3']));
    // requiresAccessToken: the same URL without a token is refused.
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
  });

  it('is declared in the CapabilityStatement at system, Patient and Group level', () => {
    const cs = capabilityStatement('http://kith.test/fhir');
    const bulk = 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition';
    expect(cs.rest![0].operation).toContainEqual({ name: 'export', definition: `${bulk}/export` });
    const of = (type: string) => cs.rest![0].resource!.find((r) => r.type === type)!.operation ?? [];
    expect(of('Patient')).toContainEqual({ name: 'export', definition: `${bulk}/patient-export` });
    expect(of('Group')).toContainEqual({ name: 'export', definition: `${bulk}/group-export` });
    expect(of('Observation').map((o) => o.name)).not.toContain('export');
  });
});
