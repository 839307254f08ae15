import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Parameters } from '@medplum/fhirtypes';
import type { TestKith } from '../helpers/kith';
import { fhirClient, type FhirClient } from '../helpers/http';
import { startReferralKith } from './setup';

/**
 * The signed links of a referral are the sender's to see and revoke: `Task/{id}/$referral-links`
 * lists them with their state, `$revoke-referral-link` (jti) stops one at once; the revoked link then
 * answers a clear refusal, while the others keep working. The receiver and third parties may not.
 */
let t: TestKith;
const as: Record<'sender' | 'receiver' | 'other', FhirClient> = {} as never;
let taskId: string;
const tokens: string[] = [];

const linksOf = (p: Parameters) =>
  (p.parameter ?? []).map((x) =>
    Object.fromEntries(
      (x.part ?? []).map((y) => [
        y.name,
        y.valueString ?? y.valueInstant ?? y.valueCode ?? y.valueReference?.reference,
      ]),
    ),
  );
const jtiOf = (token: string) => token.split('.')[0];

beforeAll(async () => {
  t = await startReferralKith();
  const system = fhirClient(t.app);
  const orgs: Record<string, string> = {};
  for (const key of ['sender', 'receiver', 'other'] as const) {
    orgs[key] = (await system.create({ resourceType: 'Organization', name: `${key} org` })).id;
    const { token } = await t.addUser({
      username: `${key}-user`,
      password: 'a long enough password 123',
      organization: { id: orgs[key], kind: 'provider', hipaaCoveredEntity: true, part2Program: false },
      accessLevel: 'edit',
      purposeOfUse: 'CAREMGT',
    });
    as[key] = fhirClient(t.app, { token });
  }
  const patient = await as.sender.create({ resourceType: 'Patient', name: [{ family: 'Linkperson' }] });
  const sr = await as.sender.create({
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    subject: { reference: `Patient/${patient.id}` },
  });
  taskId = (
    await as.sender.create({
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      focus: { reference: `ServiceRequest/${sr.id}` },
      for: { reference: `Patient/${patient.id}` },
      requester: { reference: `Organization/${orgs.sender}` },
      owner: { reference: `Organization/${orgs.receiver}` },
    })
  ).id;
  for (const days of [7, 14]) {
    const r = await as.sender.post(`Task/${taskId}/$referral-link`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'days', valueInteger: days }],
    });
    expect(r.status, r.text).toBe(200);
    tokens.push(r.body.parameter.find((p: any) => p.name === 'token').valueString);
  }
});
afterAll(() => t?.close());

const openLink = (token: string, method: 'GET' | 'POST' = 'GET') =>
  t.app.inject({
    method,
    url: `/referral-link/${token}`,
    headers: {
      accept: 'application/json',
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    ...(method === 'POST' ? { payload: JSON.stringify({ status: 'accepted' }) } : {}),
  });

describe('signed referral links: listed and revoked by the sender', () => {
  it('the sender lists the links issued, newest first, active, with their expiry', async () => {
    const r = await as.sender.get(`Task/${taskId}/$referral-links`);
    expect(r.status, r.text).toBe(200);
    const links = linksOf(r.body);
    expect(links.map((l) => l.jti)).toEqual([jtiOf(tokens[1]), jtiOf(tokens[0])]);
    expect(links.map((l) => l.state)).toEqual(['active', 'active']);
    const days = (l: Record<string, unknown>) =>
      Math.round((Date.parse(l.expires as string) - Date.parse(l.created as string)) / 86_400_000);
    expect(links.map(days)).toEqual([14, 7]);
    expect(links[0].owner).toMatch(/^Organization\//);
  });

  it('the receiver and a third party may neither list nor revoke them', async () => {
    for (const who of ['receiver', 'other'] as const) {
      const list = await as[who].get(`Task/${taskId}/$referral-links`);
      expect(list.status, `${who}: ${list.text}`).toBeGreaterThanOrEqual(403);
      const revoke = await as[who].post(`Task/${taskId}/$revoke-referral-link`, {
        resourceType: 'Parameters',
        parameter: [{ name: 'jti', valueString: jtiOf(tokens[0]) }],
      });
      expect(revoke.status, `${who}: ${revoke.text}`).toBeGreaterThanOrEqual(403);
    }
    expect((await as.receiver.get(`Task/${taskId}/$referral-links`)).body.issue[0].diagnostics).toMatch(
      /Only the requesting organization manages the signed links/,
    );
    expect((await openLink(tokens[0])).statusCode).toBe(200);
  });

  it('a revoked link answers a clear refusal at once; the other link keeps working', async () => {
    const r = await as.sender.post(`Task/${taskId}/$revoke-referral-link`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'jti', valueString: jtiOf(tokens[0]) }],
    });
    expect(r.status, r.text).toBe(200);
    const [revoked] = linksOf(r.body);
    expect(revoked).toMatchObject({ jti: jtiOf(tokens[0]), state: 'revoked' });
    expect(Date.parse(revoked.revoked as string)).toBeLessThanOrEqual(Date.now());

    for (const method of ['GET', 'POST'] as const) {
      const used = await openLink(tokens[0], method);
      expect(used.statusCode).toBe(403);
      expect(JSON.parse(used.body).issue[0].diagnostics).toMatch(
        /^This referral link was revoked by the sending organization on \d{4}-\d{2}-\d{2}\. Ask them for a new link/,
      );
    }
    // Nothing was changed through it.
    expect((await as.sender.get(`Task/${taskId}`)).body.status).toBe('requested');
    expect((await openLink(tokens[1])).statusCode).toBe(200);
    const states = linksOf((await as.sender.get(`Task/${taskId}/$referral-links`)).body).map((l) => l.state);
    expect(states).toEqual(['active', 'revoked']);
    // Revoking again keeps it revoked (and its first revocation time).
    const again = await as.sender.post(`Task/${taskId}/$revoke-referral-link?jti=${jtiOf(tokens[0])}`, {
      resourceType: 'Parameters',
    });
    expect(linksOf(again.body)[0].revoked).toBe(revoked.revoked);
  });

  it('an unknown link or a missing jti is refused', async () => {
    const unknown = await as.sender.post(`Task/${taskId}/$revoke-referral-link`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'jti', valueString: '00000000-0000-4000-8000-000000000000' }],
    });
    expect(unknown.status).toBe(404);
    const missing = await as.sender.post(`Task/${taskId}/$revoke-referral-link`, {
      resourceType: 'Parameters',
    });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.body.issue[0].diagnostics).toMatch(/Name the link to revoke/);
  });
});
