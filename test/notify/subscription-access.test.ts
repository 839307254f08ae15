// Subscriptions made by users who are not administrators: an exchange user may subscribe, only
// their organization (and administrators) see the Subscription, and what it sends is matched and
// read as that user under the access policy — never as the system.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Parameters, Resource } from '@medplum/fhirtypes';
import { startTestKith, type TestKith } from '../helpers/kith';
import { fhirClient } from '../helpers/http';
import { waitFor } from '../referrals/setup';
import { EXT_CONTENT } from '../../src/notify';
import { notificationBundle, type OutboxEvent, type SubscriptionRow } from '../../src/notify/bundle';
import { focusReaderFor } from '../../src/notify/delivery';

const LOINC = 'http://loinc.org';
const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const IRCP = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }],
};
const FOODBANK = { id: 'foodbank', kind: 'cbo' as const, hipaaCoveredEntity: false, part2Program: false };
const CLINIC = { id: 'clinic', kind: 'provider' as const, hipaaCoveredEntity: true, part2Program: false };

/** A rest-hook endpoint on 127.0.0.1 that keeps what it receives. */
class Receiver {
  received: Bundle[] = [];
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      this.received.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  url = '';
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
  /** Event notifications: the focus references and the resources sent with them. */
  events(): { focus: string; resource?: Resource }[] {
    return this.received
      .filter((b) => {
        const p = b.entry?.[0]?.resource as Parameters;
        return p.parameter?.find((x) => x.name === 'type')?.valueCode === 'event-notification';
      })
      .flatMap((b) =>
        (b.entry ?? [])
          .slice(1)
          .map((e) => ({ focus: e.fullUrl!.split('/').slice(-2).join('/'), resource: e.resource })),
      );
  }
}

const observation = (id: string, patient: string, code = '8867-4'): Resource => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: LOINC, code }] },
  subject: { reference: `Patient/${patient}` },
});

const consent = {
  resourceType: 'Consent',
  id: 'consent-foodbank',
  status: 'active',
  scope: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
  },
  category: [{ coding: [{ system: LOINC, code: '59284-0' }] }],
  patient: { reference: 'Patient/p1' },
  policyRule: { coding: [{ system: ACT, code: 'OPTIN' }] },
  provision: { type: 'permit', actor: [{ role: IRCP, reference: { reference: 'Organization/foodbank' } }] },
} as Resource;

let t: TestKith;
const receiver = new Receiver();
let foodbank: ReturnType<typeof fhirClient>;
let foodbankUserId: string;
let subscriptionId: string;

beforeAll(async () => {
  t = await startTestKith();
  await receiver.start();
  const fb = await t.addUser({
    username: 'foodbank.exchange',
    password: 'foodbank-exchange-password',
    organization: FOODBANK,
    practitionerRole: 'PractitionerRole/role-foodbank-exchange',
    accessLevel: 'exchange',
    purposeOfUse: 'COC',
  });
  foodbankUserId = fb.user.id;
  foodbank = fhirClient(t.app, { token: fb.token });
  const system = fhirClient(t.app);
  for (const r of [
    { resourceType: 'Organization', id: 'foodbank', name: 'Food bank' },
    { resourceType: 'Organization', id: 'clinic', name: 'Clinic' },
    { resourceType: 'Patient', id: 'p1', name: [{ family: 'Consenting' }] },
    { resourceType: 'Patient', id: 'p2', name: [{ family: 'Unconsenting' }] },
    consent,
  ] as Resource[]) {
    const res = await system.put(`${r.resourceType}/${r.id}`, r);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
  await receiver.stop();
});

describe('a CBO exchange user subscribes', () => {
  it('may create a Subscription; a view-only user may not', async () => {
    const sub = {
      resourceType: 'Subscription',
      status: 'requested',
      reason: 'new observations of the people we serve',
      criteria: 'Observation',
      channel: {
        type: 'rest-hook',
        endpoint: receiver.url,
        header: ['Authorization: Bearer foodbank-hook-secret'],
        payload: 'application/fhir+json',
        _payload: { extension: [{ url: EXT_CONTENT, valueCode: 'full-resource' }] },
      },
    };
    const created = await foodbank.post('Subscription', sub);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    subscriptionId = created.body.id;
    const viewer = await t.addUser({
      username: 'foodbank.view',
      organization: FOODBANK,
      accessLevel: 'view-only',
      purposeOfUse: 'COC',
    });
    const refused = await fhirClient(t.app, { token: viewer.token }).post('Subscription', sub);
    expect(refused.status).toBe(403);
    expect(refused.body.resourceType).toBe('OperationOutcome');
    // The handshake arrives and the subscription becomes active.
    await waitFor(
      async () => (await foodbank.get(`Subscription/${subscriptionId}`)).body.status === 'active',
    );
  });

  it('is seen by its organization and administrators only (its headers may hold a credential)', async () => {
    const mine = await foodbank.get(`Subscription/${subscriptionId}`);
    expect(mine.body.meta.security.map((c: any) => c.code)).toEqual(['R']);
    const clinic = await t.addUser({
      username: 'clinic.exchange',
      organization: CLINIC,
      accessLevel: 'exchange',
      purposeOfUse: 'TREAT',
    });
    const other = fhirClient(t.app, { token: clinic.token });
    const read = await other.get(`Subscription/${subscriptionId}`);
    expect(read.status).toBe(404);
    expect(read.text).not.toContain('foodbank-hook-secret');
    expect((await other.get('Subscription')).body.entry ?? []).toEqual([]);
    const status = await other.get('Subscription/$status');
    expect(status.status).toBe(200);
    expect(status.body.entry ?? []).toEqual([]);
    const statusOfIt = await other.get(`Subscription/$status?id=${subscriptionId}`);
    expect(statusOfIt.body.entry ?? []).toEqual([]);
    expect((await foodbank.get('Subscription/$status')).body.entry).toHaveLength(1);
    expect((await fhirClient(t.app).get(`Subscription/${subscriptionId}`)).status).toBe(200);
  });

  it('is notified only of what the subscriber may see, with the resource read as the subscriber', async () => {
    const system = fhirClient(t.app);
    // p2 gave no consent; p1's consent covers normal data only, not HIV data.
    for (const r of [
      observation('o-p2', 'p2'),
      observation('o-p1-hiv', 'p1', '75622-1'),
      observation('o-p1', 'p1'),
    ]) {
      const res = await system.put(`Observation/${r.id}`, r);
      expect(res.status).toBe(201);
    }
    const events = await waitFor(() => (receiver.events().length ? receiver.events() : undefined));
    await new Promise((r) => setTimeout(r, 800)); // anything else queued would have come first
    expect(receiver.events().map((e) => e.focus)).toEqual(['Observation/o-p1']);
    expect(events[0].resource).toMatchObject({ resourceType: 'Observation', id: 'o-p1' });
    const { rows } = await t.kith.db.query(
      `select focus_id from notify_outbox where subscription_id = $1 and kind = 'event-notification'`,
      [subscriptionId],
    );
    expect(rows.map((r) => r.focus_id)).toEqual(['o-p1']);
    // The payload read is the subscriber's, in the audit trail.
    await (t.kith.store.access as any).flush();
    const audit = await t.kith.db.query(
      `select action, event from audit_events where action = 'vread' order by seq`,
    );
    const reads = audit.rows
      .map((r) => JSON.parse(r.event))
      .filter((e) => e.agent?.[0]?.who?.identifier?.value === foodbankUserId)
      .flatMap((e) => (e.entity ?? []).map((x: any) => x.what?.reference));
    expect(reads.some((r: string | undefined) => r?.startsWith('Observation/o-p1'))).toBe(true);
  });

  it('leaves the resource out of a payload the subscriber may no longer see (consent revoked before delivery)', async () => {
    const system = fhirClient(t.app);
    const { rows: subs } = await t.kith.db.query('select * from notify_subscription where id = $1', [
      subscriptionId,
    ]);
    const sub = subs[0] as SubscriptionRow;
    const event: OutboxEvent = {
      event_number: 1,
      focus_type: 'Observation',
      focus_id: 'o-p1',
      focus_version: 1,
      focus_created: true,
      event_at: new Date().toISOString(),
    };
    const before = await notificationBundle(
      t.kith.db,
      'http://kith.test/fhir',
      sub,
      'event-notification',
      [event],
      focusReaderFor(t.kith.store, sub.owner),
    );
    expect(before.entry?.[1].resource?.id).toBe('o-p1');
    const revoked = await system.put('Consent/consent-foodbank', { ...consent, status: 'inactive' });
    expect(revoked.status).toBe(200);
    const after = await notificationBundle(
      t.kith.db,
      'http://kith.test/fhir',
      sub,
      'event-notification',
      [event],
      focusReaderFor(t.kith.store, sub.owner),
    );
    expect(after.entry?.[1].fullUrl).toBe('http://kith.test/fhir/Observation/o-p1');
    expect(after.entry?.[1].resource).toBeUndefined();
    // The system's own subscriptions (no owner) still read the stored version.
    const asSystem = await notificationBundle(
      t.kith.db,
      'http://kith.test/fhir',
      { ...sub, owner: null },
      'event-notification',
      [event],
      focusReaderFor(t.kith.store, null),
    );
    expect(asSystem.entry?.[1].resource?.id).toBe('o-p1');
    // And with the consent gone, new writes about p1 are not notified either.
    await system.put('Observation/o-p1-later', observation('o-p1-later', 'p1'));
    await new Promise((r) => setTimeout(r, 800));
    expect(receiver.events().map((e) => e.focus)).toEqual(['Observation/o-p1']);
  });
});
