import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestKith } from '../helpers/kith';
import { fhirClient, type FhirClient } from '../helpers/http';
import { startReferralKith } from './setup';

/** Counts the SQL statements every connection of the pool sends, with their first words. */
function countStatements(t: TestKith) {
  const proto = (
    t.kith.db.pool as unknown as { Client: { prototype: { query: (...a: unknown[]) => unknown } } }
  ).Client.prototype;
  const original = proto.query;
  let seen: string[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    const text = typeof q === 'string' ? q : ((q as { text?: string })?.text ?? '');
    const values = (
      Array.isArray(args[1]) ? args[1] : ((q as { values?: unknown[] })?.values ?? [])
    ) as unknown[];
    seen.push(`${text.trim().replace(/\s+/g, ' ')} -- ${JSON.stringify(values).slice(0, 200)}`);
    return original.apply(this, args);
  };
  return {
    seen: () => seen,
    reset: () => void (seen = []),
    restore: () => void (proto.query = original),
  };
}

/**
 * Statements per referral Task update by a signed-in user with a PractitionerRole: the acting
 * organization (the role's organization and the same person's other roles) is read in one
 * statement, not one per role lookup.
 */
let t: TestKith;
let sender: FhirClient;
let receiver: FhirClient;
let taskId: string;
const orgs: Record<string, string> = {};
let patientId: string;
let srId: string;

beforeAll(async () => {
  t = await startReferralKith();
  const system = fhirClient(t.app);
  const users: Record<string, FhirClient> = {};
  for (const key of ['sender', 'receiver', 'second'] as const) {
    const org = (await system.create({ resourceType: 'Organization', name: `${key} org` })).id;
    orgs[key] = org;
    if (key === 'second') {
      // the receiver's worker also works here
      await system.create({
        resourceType: 'PractitionerRole',
        active: true,
        practitioner: { reference: `Practitioner/${users.receiverPractitioner}` },
        organization: { reference: `Organization/${org}` },
      });
      continue;
    }
    const practitioner = (await system.create({ resourceType: 'Practitioner', name: [{ family: key }] })).id;
    const role = (
      await system.create({
        resourceType: 'PractitionerRole',
        active: true,
        practitioner: { reference: `Practitioner/${practitioner}` },
        organization: { reference: `Organization/${org}` },
      })
    ).id;
    const { token } = await t.addUser({
      username: `${key}-user`,
      password: 'a long enough password 123',
      practitionerRole: `PractitionerRole/${role}`,
      organization: { id: org, kind: 'provider', hipaaCoveredEntity: true, part2Program: false },
      accessLevel: 'edit',
      purposeOfUse: 'CAREMGT',
    });
    users[key] = fhirClient(t.app, { token });
    (users as Record<string, unknown>)[`${key}Practitioner`] = practitioner;
    (users as Record<string, unknown>)[`${key}Org`] = org;
  }
  sender = users.sender;
  receiver = users.receiver;
  const patient = await sender.create({ resourceType: 'Patient', name: [{ family: 'Countme' }] });
  patientId = patient.id;
  const sr = await sender.create({
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    category: [
      {
        coding: [
          {
            system: 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes',
            code: 'food-insecurity',
          },
        ],
      },
    ],
    subject: { reference: `Patient/${patient.id}` },
  });
  srId = sr.id;
  taskId = (
    await sender.create({
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      focus: { reference: `ServiceRequest/${sr.id}` },
      for: { reference: `Patient/${patient.id}` },
      requester: { reference: `Organization/${(users as any).senderOrg}` },
      owner: { reference: `Organization/${(users as any).receiverOrg}` },
    })
  ).id;
});
afterAll(() => t?.close());

describe('statements per referral Task update', () => {
  it('the acting organization costs one statement per Task write', async () => {
    const counter = countStatements(t);
    try {
      const moves = ['accepted', 'in-progress', 'on-hold', 'in-progress'];
      const perUpdate: number[] = [];
      let roleReads = 0;
      for (const status of moves) {
        const current = (await receiver.get(`Task/${taskId}`)).body;
        counter.reset();
        const r = await receiver.put(`Task/${taskId}`, { ...current, status });
        expect(r.status, r.text).toBe(200);
        const seen = counter.seen().filter((s) => !/^(begin|commit|rollback)\b/i.test(s));
        perUpdate.push(seen.length);
        if (process.env.KITH_SHOW_STATEMENTS) console.log(seen.map((x) => x.slice(0, 160)).join('\n'));
        roleReads += seen.filter((s) => /^select .*PractitionerRole/.test(s)).length;
      }
      const avg = perUpdate.reduce((a, b) => a + b, 0) / perUpdate.length;
      console.log(
        JSON.stringify({
          statementsPerTaskUpdate: avg,
          perUpdate,
          practitionerRoleStatementsPerUpdate: roleReads / moves.length,
        }),
      );
      // One statement for the acting organization, in the state machine's check before the write;
      // the referral index after it reuses what the check found (was one more read after the write).
      expect(roleReads / moves.length).toBe(1);
      // The focus ServiceRequest is read in the Task's own write statement: the next statement after
      // that write is already the referral index's rows (riding together), no read between.
      const all = counter.seen();
      const taskWrite = all.findIndex((x) => /^with r as/.test(x) && x.includes('["Task",'));
      expect(all[taskWrite]).toContain('select content::text from fhir_resources');
      expect(all[taskWrite + 1]).toMatch(/^with w0 as \(insert into referral /);
      // The index it keeps is what the moves made, judged as the receiving organization.
      const { rows } = await t.kith.db.query(
        'select status, requester_org, owner_org, category from referral where task_id = $1',
        [taskId],
      );
      expect(rows).toEqual([
        {
          status: 'in-progress',
          requester_org: orgs.sender,
          owner_org: orgs.receiver,
          category: 'food-insecurity',
        },
      ]);
      const log = await t.kith.db.query(
        'select from_status, to_status, party from referral_status_log where task_id = $1 order by id',
        [taskId],
      );
      expect(log.rows.map((r) => `${r.from_status}>${r.to_status}:${r.party}`)).toEqual([
        'null>requested:requester',
        'requested>accepted:owner',
        'accepted>in-progress:owner',
        'in-progress>on-hold:owner',
        'on-hold>in-progress:owner',
      ]);
    } finally {
      counter.restore();
    }
  });
});

describe('the referral index after a write by the check before it', () => {
  it("follows an owner changed while a draft; then the new owner's worker acts as owner", async () => {
    const draft = await sender.create({
      resourceType: 'Task',
      status: 'draft',
      intent: 'order',
      focus: { reference: `ServiceRequest/${srId}` },
      for: { reference: `Patient/${patientId}` },
      requester: { reference: `Organization/${orgs.sender}` },
      owner: { reference: `Organization/${orgs.receiver}` },
    });
    const moved = await sender.put(`Task/${draft.id}`, {
      ...draft,
      owner: { reference: `Organization/${orgs.second}` },
      status: 'requested',
    });
    expect(moved.status, moved.text).toBe(200);
    const { rows } = await t.kith.db.query('select owner_org, status from referral where task_id = $1', [
      draft.id,
    ]);
    expect(rows).toEqual([{ owner_org: orgs.second, status: 'requested' }]);
    // The receiver's worker also works for the second organization: they act as its owner.
    const current = (await receiver.get(`Task/${draft.id}`)).body;
    const accepted = await receiver.put(`Task/${draft.id}`, { ...current, status: 'accepted' });
    expect(accepted.status, accepted.text).toBe(200);
    const log = await t.kith.db.query(
      'select to_status, party from referral_status_log where task_id = $1 order by id',
      [draft.id],
    );
    expect(log.rows.map((r) => `${r.to_status}:${r.party}`)).toEqual([
      'draft:requester',
      'requested:requester',
      'accepted:owner',
    ]);
  });
});

describe('statements per referral sent as the web app sends it', () => {
  it('one transaction: Consent, ServiceRequest, Task', async () => {
    const { referralTransaction } = await import('../../web/src/referrals/referral-bundle');
    const counter = countStatements(t);
    try {
      const per: number[] = [];
      for (let i = 0; i < 3; i++) {
        counter.reset();
        const r = await sender.post(
          '',
          referralTransaction({
            patient: `Patient/${patientId}`,
            service: { resourceType: 'HealthcareService', id: 'x', name: 'Pantry' },
            owner: { reference: `Organization/${orgs.receiver}` },
            requester: { reference: `Organization/${orgs.sender}` },
            category: 'food-insecurity',
            reason: 'Ran out of food',
            consent: true,
          }),
        );
        expect(r.status, r.text).toBe(200);
        const seen = counter.seen().filter((s) => !/^(begin|commit|rollback)\b/i.test(s));
        if (process.env.KITH_SHOW_STATEMENTS) console.log(seen.map((x) => x.slice(0, 140)).join('\n'));
        per.push(seen.length);
        // The caller's PractitionerRoles are read once for the Task (the check), not again after it.
        expect(seen.filter((x) => /^select .*PractitionerRole/.test(x)).length).toBe(1);
        // Its category is the request's, written in the same transaction (not read back for it).
        const taskId = /Task\/([^/]+)/.exec((r.body as Bundle).entry?.[2]?.response?.location ?? '')?.[1];
        const { rows } = await t.kith.db.query('select category, status from referral where task_id = $1', [
          taskId,
        ]);
        expect(rows).toEqual([{ category: 'food-insecurity', status: 'requested' }]);
      }
      console.log(JSON.stringify({ statementsPerReferralSent: per }));
    } finally {
      counter.restore();
    }
  });
});
