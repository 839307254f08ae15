import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import type { AccessLevel, Caller, CallerOrganization } from '../caller';
import { SYSTEM_CALLER } from '../caller';
import { ACTOR_GROUP_SYSTEM, consentGrants, type Grant } from '../consent';
import { decide, defaultPolicy, type AccessRequest } from './index';

const NOW = new Date('2025-06-30T12:00:00Z');
const org = (
  id: string,
  kind: CallerOrganization['kind'],
  ce: boolean,
  part2 = false,
): CallerOrganization => ({
  id,
  kind,
  hipaaCoveredEntity: ce,
  part2Program: part2,
});
const CLINIC = org('clinic', 'provider', true);
const PLAN = org('plan', 'health-plan', true);
const FOODBANK = org('foodbank', 'cbo', false);

function caller(o: CallerOrganization | undefined, extra: Partial<Caller> = {}): Caller {
  return {
    kind: 'user',
    subject: 'u1',
    ...(o ? { organization: o } : {}),
    accessLevel: 'edit',
    roles: [],
    purposeOfUse: 'TREAT',
    scopes: [{ context: 'user', type: '*', ops: 'cruds' }],
    ...extra,
  };
}

const obs = (labels: string[], extra: Partial<AccessRequest> = {}): AccessRequest => ({
  resourceType: 'Observation',
  id: 'o1',
  labels,
  patientIds: ['Patient/p1'],
  action: 'read',
  ...extra,
});
const PART2 = ['42CFRPart2', 'ETH', 'NORDSCLCD', 'R'];

const to = (...ids: string[]) =>
  ids.map((id) => ({ role: { coding: [{ code: 'IRCP' }] }, reference: { reference: `Organization/${id}` } }));
const coveredEntities = [
  {
    role: { coding: [{ code: 'IRCP' }] },
    reference: { identifier: { system: ACTOR_GROUP_SYSTEM, value: 'covered-entities' } },
  },
];
const codes = (...c: string[]) => c.map((code) => ({ code }));
function grants(provision: ConsentProvision, extra: Partial<Consent> = {}): Grant[] {
  return consentGrants({
    resourceType: 'Consent',
    id: `k${Math.random().toString(36).slice(2, 8)}`,
    status: 'active',
    scope: { coding: [{ code: 'patient-privacy' }] },
    category: [],
    patient: { reference: 'Patient/p1' },
    provision,
    ...extra,
  });
}
const run = (c: Caller, req: AccessRequest, g: Grant[] = []) => decide(c, req, g, { now: NOW });

describe('reading normal data', () => {
  it('a covered entity sees it for treatment, payment, operations and care coordination', () => {
    for (const purposeOfUse of ['TREAT', 'CAREMGT', 'HPAYMT', 'HOPERAT']) {
      expect(run(caller(CLINIC, { purposeOfUse }), obs([]))).toMatchObject({
        decision: 'permit',
        ruleId: 'covered-entity-tpo',
        policyVersion: defaultPolicy.version,
      });
    }
    expect(run(caller(CLINIC, { purposeOfUse: 'PUBHLTH' }), obs(['N'])).ruleId).toBe('consent-required');
  });

  it('a health plan is not a treating provider', () => {
    expect(run(caller(PLAN, { purposeOfUse: 'HPAYMT' }), obs([])).decision).toBe('permit');
    expect(run(caller(PLAN, { purposeOfUse: 'TREAT' }), obs([])).ruleId).toBe('consent-required');
  });

  it("the person's opt-out denies even a covered entity", () => {
    const optOut = grants({ type: 'deny' });
    expect(run(caller(CLINIC), obs([]), optOut)).toMatchObject({ decision: 'deny', ruleId: 'consent-deny' });
  });

  it('a CBO needs a consent naming it or anyone; care coordination matches COC', () => {
    const c = caller(FOODBANK, { purposeOfUse: 'CAREMGT', accessLevel: 'exchange' });
    expect(run(c, obs([]))).toMatchObject({ decision: 'deny', ruleId: 'consent-required' });
    const named = grants({
      type: 'permit',
      actor: to('foodbank'),
      securityLabel: codes('N'),
      purpose: codes('COC'),
    });
    expect(run(c, obs([]), named)).toMatchObject({ decision: 'permit', ruleId: 'consent-permit' });
    expect(run(c, obs([]), grants({ type: 'permit', securityLabel: codes('N') })).decision).toBe('permit');
    expect(run(c, obs([]), grants({ type: 'permit', actor: to('legal') })).decision).toBe('deny');
    const forTreatmentOnly = grants({ type: 'permit', actor: to('foodbank'), purpose: codes('TREAT') });
    expect(run(c, obs([]), forTreatmentOnly).decision).toBe('deny');
  });

  it('expired, future and revoked consents do nothing', () => {
    const c = caller(FOODBANK, { purposeOfUse: 'COC' });
    const expired = grants({
      type: 'permit',
      actor: to('foodbank'),
      period: { start: '2024-01-01', end: '2025-06-29' },
    });
    const lastDay = grants({
      type: 'permit',
      actor: to('foodbank'),
      period: { start: '2024-01-01', end: '2025-06-30' },
    });
    const future = grants({ type: 'permit', actor: to('foodbank'), period: { start: '2025-07-01' } });
    const revoked = grants({ type: 'permit', actor: to('foodbank') }, { status: 'inactive' });
    expect(run(c, obs([]), expired).decision).toBe('deny');
    expect(run(c, obs([]), lastDay).decision).toBe('permit');
    expect(run(c, obs([]), future).decision).toBe('deny');
    expect(revoked).toEqual([]);
  });
});

describe('reading restricted data', () => {
  it('Part 2 data needs a consent naming the recipient organization', () => {
    const c = caller(CLINIC);
    expect(run(c, obs(PART2))).toMatchObject({ decision: 'deny', ruleId: 'part2-named-consent' });
    const anyone = grants({ type: 'permit', securityLabel: codes('ETH', '42CFRPart2') });
    const allCovered = grants({
      type: 'permit',
      actor: coveredEntities,
      securityLabel: codes('ETH', '42CFRPart2'),
    });
    const allRestricted = grants({ type: 'permit', actor: to('clinic'), securityLabel: codes('R') });
    const named = grants({ type: 'permit', actor: to('clinic'), securityLabel: codes('ETH', '42CFRPart2') });
    expect(run(c, obs(PART2), anyone).ruleId).toBe('part2-named-consent');
    expect(run(c, obs(PART2), allCovered).ruleId).toBe('part2-named-consent');
    expect(run(c, obs(PART2), allRestricted).ruleId).toBe('part2-named-consent');
    expect(run(c, obs(PART2), named)).toMatchObject({ decision: 'permit', ruleId: 'consent-permit' });
    expect(run(caller(PLAN, { purposeOfUse: 'HPAYMT' }), obs(PART2), named).decision).toBe('deny');
  });

  it('PSY, HIV and SDV need a consent covering each label, or all restricted data', () => {
    const c = caller(CLINIC);
    expect(run(c, obs(['PSY', 'R'])).ruleId).toBe('psy-needs-consent');
    expect(run(c, obs(['HIV', 'R'])).ruleId).toBe('hiv-needs-consent');
    expect(run(c, obs(['R', 'SDV'])).ruleId).toBe('sdv-needs-consent');
    const psy = grants({ type: 'permit', actor: to('clinic'), securityLabel: codes('PSY') });
    const hiv = grants({ type: 'permit', actor: coveredEntities, securityLabel: codes('HIV') });
    expect(run(c, obs(['PSY', 'R']), psy).decision).toBe('permit');
    expect(run(c, obs(['HIV', 'PSY', 'R']), psy)).toMatchObject({
      decision: 'deny',
      ruleId: 'hiv-needs-consent',
    });
    expect(run(c, obs(['HIV', 'PSY', 'R']), [...psy, ...hiv]).decision).toBe('permit');
    expect(
      run(
        c,
        obs(['HIV', 'PSY', 'R']),
        grants({ type: 'permit', actor: to('clinic'), securityLabel: codes('R') }),
      ).decision,
    ).toBe('permit');
  });

  it('restricted confidentiality alone needs a consent to restricted data', () => {
    const c = caller(CLINIC);
    expect(run(c, obs(['R']))).toMatchObject({ decision: 'deny', ruleId: 'restricted-needs-consent' });
    expect(
      run(c, obs(['V']), grants({ type: 'permit', actor: to('clinic'), securityLabel: codes('R') })).decision,
    ).toBe('permit');
  });

  it('IHE PCF: permit normal data for TPO but deny restricted data', () => {
    const pcf = grants({
      type: 'permit',
      securityLabel: codes('N'),
      purpose: codes('TREAT', 'HPAYMT', 'HOPERAT'),
      provision: [{ type: 'deny', securityLabel: codes('R') }],
    });
    const extra = grants({ type: 'permit', actor: to('clinic'), securityLabel: codes('PSY') });
    expect(run(caller(CLINIC), obs([]), pcf).decision).toBe('permit');
    expect(run(caller(CLINIC), obs(['PSY', 'R']), [...pcf, ...extra])).toMatchObject({
      decision: 'deny',
      ruleId: 'consent-deny',
    });
  });

  it('a nested permit is an exception to its deny; a sibling deny at the same level wins', () => {
    const exception = grants({
      type: 'deny',
      provision: [{ type: 'permit', actor: to('foodbank'), securityLabel: codes('N') }],
    });
    const c = caller(FOODBANK, { purposeOfUse: 'COC' });
    expect(run(c, obs([]), exception).decision).toBe('permit');
    expect(run(caller(CLINIC), obs([]), exception).ruleId).toBe('consent-deny');
    const siblings = grants({
      type: 'permit',
      provision: [
        { type: 'permit', actor: to('foodbank'), securityLabel: codes('N') },
        { type: 'deny', securityLabel: codes('N') },
      ],
    });
    expect(run(c, obs([]), siblings).ruleId).toBe('consent-deny');
  });

  it('a consent limited to resource types or to one resource covers only those', () => {
    const c = caller(FOODBANK, { purposeOfUse: 'COC' });
    const typed = grants({ type: 'permit', actor: to('foodbank'), class: [{ code: 'Condition' }] });
    expect(run(c, obs([]), typed).decision).toBe('deny');
    expect(run(c, obs([], { resourceType: 'Condition' }), typed).decision).toBe('permit');
    const one = grants({
      type: 'permit',
      actor: to('foodbank'),
      data: [{ meaning: 'instance', reference: { reference: 'Observation/o1' } }],
    });
    expect(run(c, obs([]), one).decision).toBe('permit');
    expect(run(c, obs([], { id: 'o2' }), one).decision).toBe('deny');
  });

  it('a resource about two people needs both to allow it', () => {
    const c = caller(FOODBANK, { purposeOfUse: 'COC' });
    const p1 = grants({ type: 'permit', actor: to('foodbank') });
    expect(run(c, obs([], { patientIds: ['p1', 'p2'] }), p1).decision).toBe('deny');
  });
});

describe('roles, own records, reference data, break-glass', () => {
  it('administrators see everything (audited); only they see audit events', () => {
    expect(run(SYSTEM_CALLER, obs(PART2), grants({ type: 'deny' }))).toMatchObject({
      decision: 'permit',
      ruleId: 'administrator-operations',
    });
    const audit = obs([], { resourceType: 'AuditEvent' });
    expect(run(SYSTEM_CALLER, audit).decision).toBe('permit');
    expect(run(caller(CLINIC), audit)).toMatchObject({
      decision: 'deny',
      ruleId: 'audit-administrators-only',
    });
  });

  it('data stewards see identity data, nothing else', () => {
    const steward = caller(undefined, { roles: ['data-steward'], purposeOfUse: 'HOPERAT' });
    expect(run(steward, obs(['R', 'SDV'], { resourceType: 'Patient' })).ruleId).toBe('data-steward-identity');
    expect(run(steward, obs([], { resourceType: 'Person' })).decision).toBe('permit');
    expect(run(steward, obs([]))).toMatchObject({ decision: 'deny', ruleId: 'no-organization' });
  });

  it('an organization sees the records it holds', () => {
    const c = caller(FOODBANK, { purposeOfUse: 'COC' });
    expect(run(c, obs(['R', 'SDV'], { custodian: 'foodbank' }), grants({ type: 'deny' }))).toMatchObject({
      decision: 'permit',
      ruleId: 'own-records',
    });
  });

  it('unlabeled data about no person is reference data; labeled data about no person is its custodian only', () => {
    const shelter = { resourceType: 'Location', labels: [], patientIds: [], action: 'search' as const };
    expect(run(caller(FOODBANK), shelter).ruleId).toBe('reference-data');
    expect(run(caller(undefined, { kind: 'client' }), shelter).decision).toBe('permit');
    expect(run(caller(FOODBANK), { ...shelter, labels: ['R', 'SDV'] }).decision).toBe('deny');
    expect(run(caller(FOODBANK), { ...shelter, labels: ['R', 'SDV'], custodian: 'foodbank' }).decision).toBe(
      'permit',
    );
  });

  it('break-glass is for a covered entity, purpose ETREAT, an active grant of at most 4 hours, and a reason', () => {
    const bg = (o: CallerOrganization, until: string, reason = 'unresponsive, suspected overdose') =>
      caller(o, { purposeOfUse: 'ETREAT', breakGlass: { until, reason } });
    const optOut = grants({ type: 'deny' });
    const ok = run(bg(CLINIC, '2025-06-30T14:00:00Z'), obs(PART2), optOut);
    expect(ok).toMatchObject({ decision: 'permit', ruleId: 'break-glass' });
    expect(ok.reason).toContain('suspected overdose');
    expect(run(bg(CLINIC, '2025-06-30T11:59:00Z'), obs(PART2)).decision).toBe('deny');
    expect(run(bg(CLINIC, '2025-06-30T20:00:00Z'), obs(PART2)).decision).toBe('deny');
    expect(run(bg(CLINIC, '2025-06-30T14:00:00Z', '  '), obs(PART2)).decision).toBe('deny');
    expect(run(bg(FOODBANK, '2025-06-30T14:00:00Z'), obs(PART2)).decision).toBe('deny');
  });
});

describe('redaction', () => {
  const patient = (labels: string[]): AccessRequest => ({
    resourceType: 'Patient',
    id: 'p1',
    labels,
    patientIds: ['p1'],
    action: 'read',
  });

  it('a DV-protected Patient is returned without address and telecom unless a consent covers SDV', () => {
    expect(run(caller(CLINIC), patient(['R', 'SDV']))).toMatchObject({
      decision: 'redact',
      ruleId: 'redact-dv-contact',
      redactions: ['address', 'telecom', 'contact', 'photo'],
    });
    const sdv = grants({ type: 'permit', actor: to('clinic'), securityLabel: codes('SDV') });
    expect(run(caller(CLINIC), patient(['R', 'SDV']), sdv).decision).toBe('permit');
    expect(run(caller(FOODBANK, { purposeOfUse: 'COC' }), patient(['R', 'SDV'])).decision).toBe('deny');
    expect(run(caller(CLINIC), patient(['PSY', 'R', 'SDV'])).decision).toBe('deny');
  });
});

describe('writes', () => {
  const write = (level: AccessLevel, o: CallerOrganization, req: Partial<AccessRequest>) =>
    run(caller(o, { accessLevel: level }), obs([], { action: 'create', custodian: o.id, ...req }));

  it('view-only users write nothing', () => {
    expect(write('view-only', CLINIC, { resourceType: 'ServiceRequest' })).toMatchObject({
      decision: 'deny',
      ruleId: 'view-only-no-write',
    });
  });

  it('exchange users send referrals, messages and consents, and nothing else', () => {
    for (const resourceType of ['ServiceRequest', 'Task', 'Communication', 'Consent'])
      expect(write('exchange', FOODBANK, { resourceType }).ruleId, resourceType).toBe(
        'exchange-referrals-messages',
      );
    expect(write('exchange', FOODBANK, { resourceType: 'Observation' }).decision).toBe('deny');
    expect(write('exchange', FOODBANK, { resourceType: 'Task', action: 'delete' }).decision).toBe('deny');
  });

  it('edit users change clinical and care records they can read', () => {
    expect(write('edit', CLINIC, { resourceType: 'Observation' })).toMatchObject({
      decision: 'permit',
      ruleId: 'edit-care-records',
    });
    expect(write('edit', CLINIC, { action: 'update', labels: PART2, custodian: 'bh' })).toMatchObject({
      decision: 'deny',
      ruleId: 'write-requires-read',
    });
    expect(write('edit', CLINIC, { resourceType: 'Organization' }).decision).toBe('deny');
  });

  it('nobody writes audit events through the API; stewards update Patients and manage Persons', () => {
    expect(run(SYSTEM_CALLER, obs([], { resourceType: 'AuditEvent', action: 'create' })).ruleId).toBe(
      'audit-administrators-only',
    );
    expect(
      run(SYSTEM_CALLER, obs([], { resourceType: 'Organization', action: 'create', patientIds: [] }))
        .decision,
    ).toBe('permit');
    const steward = caller(undefined, { roles: ['data-steward'], accessLevel: 'view-only' });
    expect(run(steward, obs([], { resourceType: 'Person', action: 'create' })).ruleId).toBe(
      'data-steward-identity',
    );
    expect(run(steward, obs([], { resourceType: 'Patient', action: 'delete' })).decision).toBe('deny');
  });
});

describe('identity and SMART scopes', () => {
  it('denies the anonymous', () => {
    expect(run(caller(CLINIC, { kind: 'anonymous' }), obs([])).ruleId).toBe('no-identity');
  });

  it('scopes limit types, actions and the patient', () => {
    const only = (scopes: Caller['scopes'], extra: Partial<Caller> = {}) =>
      caller(CLINIC, { scopes, ...extra });
    expect(run(only([]), obs([])).ruleId).toBe('smart-scope');
    expect(run(only([{ context: 'user', type: 'Condition', ops: 'rs' }]), obs([])).ruleId).toBe(
      'smart-scope',
    );
    expect(
      run(only([{ context: 'user', type: 'Observation', ops: 'r' }]), obs([], { action: 'search' })).ruleId,
    ).toBe('smart-scope');
    expect(run(only([{ context: 'user', type: 'Observation', ops: 'r' }]), obs([])).decision).toBe('permit');
    const p2 = only([{ context: 'patient', type: '*', ops: 'rs' }], { patient: 'p2' });
    expect(run(p2, obs([])).ruleId).toBe('smart-scope');
    expect(run(p2, obs([], { patientIds: ['p2'] })).decision).toBe('permit');
    expect(run(only([{ context: 'patient', type: '*', ops: 'rs' }]), obs([])).ruleId).toBe('smart-scope');
    expect(run(only([{ context: 'user', type: '*', ops: 'rs' }]), obs([], { action: 'create' })).ruleId).toBe(
      'smart-scope',
    );
  });
});
