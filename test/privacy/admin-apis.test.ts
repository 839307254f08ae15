// The app APIs beside FHIR read as the signed-in user: the audit and integration admin APIs refuse
// everyone but administrators (the accounting of disclosures: administrators and data stewards),
// and a referral link, which has no user, is audited as a disclosure to its receiving organization.
import type { OperationOutcome, Parameters, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disclosuresFor } from '../../src/audit';
import type { AccessLevel, CallerOrganization } from '../../src/privacy/caller';
import { fhirClient } from '../helpers/http';
import type { TestKith } from '../helpers/kith';
import { startReferralKith } from '../referrals/setup';

let t: TestKith;
const headers: Record<string, Record<string, string>> = {};

const FOOD_BANK: CallerOrganization = {
  id: 'food-bank',
  kind: 'cbo',
  hipaaCoveredEntity: false,
  part2Program: false,
};
const CLINIC: CallerOrganization = {
  id: 'clinic',
  kind: 'provider',
  hipaaCoveredEntity: true,
  part2Program: false,
};

beforeAll(async () => {
  t = await startReferralKith();
  const users: [string, CallerOrganization, AccessLevel, ('administrator' | 'data-steward')[]][] = [
    ['cbo.view', FOOD_BANK, 'view-only', []],
    ['cbo.exchange', FOOD_BANK, 'exchange', []],
    ['clinic.edit', CLINIC, 'edit', []],
    ['county.steward', CLINIC, 'edit', ['data-steward']],
    ['county.admin', CLINIC, 'edit', ['administrator']],
  ];
  for (const [username, organization, accessLevel, roles] of users)
    headers[username] = (await t.addUser({ username, organization, accessLevel, roles })).headers;
}, 60_000);
afterAll(() => t?.close());

const call = (method: 'GET' | 'POST', url: string, who: string) =>
  t.app.inject({
    method,
    url,
    headers: { ...headers[who], 'content-type': 'application/json' },
    ...(method === 'POST' ? { payload: '{}' } : {}),
  });

const ADMIN_ONLY: ['GET' | 'POST', string][] = [
  ['GET', '/api/audit/verify'],
  ['GET', '/api/integration/channels'],
  ['GET', '/api/integration/dead-letters'],
  ['POST', '/api/integration/dead-letters/1/replay'],
  ['POST', '/api/integration/channels/any/push'],
];
const DISCLOSURES: ['GET', string] = ['GET', '/api/audit/disclosures?patient=Patient/p1'];

describe('admin APIs', () => {
  it.each(['cbo.view', 'cbo.exchange', 'clinic.edit', 'county.steward'])(
    'refuses %s the audit and integration admin APIs with 403 and an OperationOutcome',
    async (who) => {
      for (const [method, url] of ADMIN_ONLY) {
        const res = await call(method, url, who);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        const outcome = res.json() as OperationOutcome;
        expect(outcome.resourceType).toBe('OperationOutcome');
        expect(outcome.issue?.[0]?.code).toBe('forbidden');
        expect(outcome.issue?.[0]?.diagnostics).toContain('administrator');
      }
    },
  );

  it.each(['cbo.view', 'cbo.exchange', 'clinic.edit'])(
    'refuses %s the accounting of disclosures (403 OperationOutcome)',
    async (who) => {
      const res = await call(...DISCLOSURES, who);
      expect(res.statusCode).toBe(403);
      expect((res.json() as OperationOutcome).issue?.[0]?.code).toBe('forbidden');
    },
  );

  it('lets an administrator use them; the accounting of disclosures is for administrators only, not data stewards', async () => {
    expect((await call('GET', '/api/audit/verify', 'county.admin')).statusCode).toBe(200);
    expect((await call(...DISCLOSURES, 'county.admin')).statusCode).toBe(200);
    // The policy opens audit data to administrators only (audit-administrators-only).
    expect((await call(...DISCLOSURES, 'county.steward')).statusCode).toBe(403);
    // Not refused by role: the admin gets past the gate (the route answers on its own terms).
    expect((await call('GET', '/api/integration/channels', 'county.admin')).statusCode).not.toBe(403);
  });
});

describe('referral links', () => {
  it('record each view and update as a disclosure of the person to the receiving organization', async () => {
    const fhir = fhirClient(t.app);
    for (const [id, name] of [
      [CLINIC.id, 'Clinic'],
      [FOOD_BANK.id, 'Food Bank'],
    ])
      expect((await fhir.put(`Organization/${id}`, { resourceType: 'Organization', id, name })).status).toBe(
        201,
      );
    const patient = await fhir.post('Patient', {
      resourceType: 'Patient',
      name: [{ family: 'Ibarra', given: ['Luz'] }],
    });
    const patientRef = `Patient/${patient.body.id}`;
    const sr = await fhir.post('ServiceRequest', {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: patientRef },
      code: { text: 'Food pantry' },
    });
    const task = await fhir.post('Task', {
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      focus: { reference: `ServiceRequest/${sr.body.id}` },
      for: { reference: patientRef },
      requester: { reference: `Organization/${CLINIC.id}` },
      owner: { reference: `Organization/${FOOD_BANK.id}` },
    } satisfies Task);
    expect(task.status, task.text).toBe(201);
    const link = await fhir.post(`Task/${task.body.id}/$referral-link`, { resourceType: 'Parameters' });
    expect(link.status, link.text).toBe(200);
    const url = (link.body as Parameters).parameter?.find((p) => p.name === 'url')?.valueUrl ?? '';
    const path = `/referral-link/${url.split('/referral-link/')[1]}`;

    const before = await disclosuresFor(t.kith.db, [patientRef]);
    expect(before.some((d) => d.who.id?.startsWith('referral-link:'))).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    const accepted = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ status: 'accepted' }),
    });
    expect(accepted.statusCode, accepted.body).toBe(200);

    const viaLink = (await disclosuresFor(t.kith.db, [patientRef])).filter((d) =>
      d.who.id?.startsWith('referral-link:'),
    );
    // Two views (the GET, and the answer to the POST), newest first, each naming the organization and what it saw.
    expect(viaLink).toHaveLength(2);
    for (const d of viaLink) {
      expect(d.action).toBe('read');
      expect(d.who.organization).toBe(`Organization/${FOOD_BANK.id}`);
      expect(d.resources).toEqual([`Task/${task.body.id}`, `ServiceRequest/${sr.body.id}`, patientRef]);
      expect(d.patients).toEqual([patientRef]);
    }
    const { rows } = await t.kith.db.query(
      `select count(*)::int as n from audit_events where action = 'update' and $1 = any(patients)`,
      [patientRef],
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(1);
  });
});
