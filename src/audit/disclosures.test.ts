import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Caller } from '../privacy/caller';
import { startTestKith, type TestKith } from '../../test/helpers/kith';
import { AuthService, loadAuthConfig, requireAuth, authRoutes } from '../privacy/auth';
import { auditAuthEvents } from './auth-events';
import { disclosuresFor } from './disclosures';
import { recordAudit } from './record';
import { auditRoutes } from './routes';
import { verifyAuditChain } from './verify';
import './migrations';

let t: TestKith;
let auth: AuthService;
let app: FastifyInstance;

const nurse: Caller = {
  kind: 'user',
  subject: 'u-nurse',
  displayName: 'Riley Park',
  practitionerRole: 'PractitionerRole/pr-nurse',
  organization: { id: 'org-clinic', kind: 'provider', hipaaCoveredEntity: true, part2Program: false },
  accessLevel: 'edit',
  roles: [],
  purposeOfUse: 'TREAT',
  scopes: [{ context: 'user', type: '*', ops: 'cruds' }],
};
const cbo: Caller = {
  ...nurse,
  subject: 'u-cbo',
  displayName: 'Morgan Diaz',
  practitionerRole: 'PractitionerRole/pr-cbo',
  organization: { id: 'org-foodbank', kind: 'cbo', hipaaCoveredEntity: false, part2Program: false },
  purposeOfUse: 'CAREMGT',
  clientId: 'care-app',
};

beforeAll(async () => {
  t = await startTestKith();
  const db = t.kith.db;
  auth = await AuthService.open(db, { config: loadAuthConfig({ KITH_AUTH_ISSUER: 'http://kith.test' }) });
  auth.onAuthEvent(auditAuthEvents(db));
  app = Fastify();
  app.setErrorHandler((err: any, _req, reply) =>
    reply.code(err.status ?? 500).send({ message: err.message }),
  );
  app.addHook('preHandler', requireAuth({ auth }));
  await app.register(authRoutes, { auth });
  await app.register(auditRoutes, { db });

  await recordAudit(db, {
    action: 'read',
    caller: nurse,
    resources: ['Condition/c-1'],
    patients: ['Patient/p-1'],
    recorded: '2025-01-01T10:00:00Z',
  });
  await recordAudit(db, {
    action: 'search',
    caller: cbo,
    query: 'Observation?patient=p-1&category=sdoh',
    resources: ['Observation/o-1', 'Observation/o-2'],
    patients: ['p-1', 'Patient/p-2'],
    recorded: '2025-02-01T10:00:00Z',
  });
  await recordAudit(db, {
    action: 'read',
    caller: nurse,
    resources: ['Patient/p-3'],
    recorded: '2025-02-02T10:00:00Z',
  });
  await recordAudit(db, {
    action: 'denied',
    interaction: 'read',
    caller: cbo,
    resources: ['Condition/c-9'],
    patients: ['Patient/p-1'],
    reason: 'ETH data without a consent naming org-foodbank',
    recorded: '2025-03-01T10:00:00Z',
  });
  await recordAudit(db, {
    action: 'break-glass',
    caller: { ...nurse, purposeOfUse: 'ETREAT' },
    patients: ['Patient/p-1'],
    reason: 'unconscious in the emergency department',
    recorded: '2025-03-05T10:00:00Z',
  });
  await recordAudit(db, {
    action: 'update',
    caller: nurse,
    resources: ['Condition/c-1'],
    patients: ['Patient/p-1'],
    recorded: '2025-03-06T10:00:00Z',
  });
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

describe('accounting of disclosures', () => {
  it('lists who saw a person, when and why, newest first, across linked records', async () => {
    const list = await disclosuresFor(t.kith.db, ['p-1', 'Patient/p-3']);
    expect(list.map((d) => [d.recorded.slice(0, 10), d.action])).toEqual([
      ['2025-03-05', 'break-glass'],
      ['2025-02-02', 'read'],
      ['2025-02-01', 'search'],
      ['2025-01-01', 'read'],
    ]);
    const search = list[2];
    expect(search).toMatchObject({
      who: {
        kind: 'user',
        id: 'u-cbo',
        display: 'Morgan Diaz',
        practitionerRole: 'PractitionerRole/pr-cbo',
        organization: 'Organization/org-foodbank',
      },
      app: 'care-app',
      purposeOfUse: 'CAREMGT',
      patients: ['Patient/p-1'],
      resources: ['Observation/o-1', 'Observation/o-2'],
      query: 'Observation?patient=p-1&category=sdoh',
      outcome: 'success',
    });
    expect(list[0]).toMatchObject({
      purposeOfUse: 'ETREAT',
      reason: 'unconscious in the emergency department',
    });
    expect(list[1].patients).toEqual(['Patient/p-3']);
  });

  it('can include denied attempts, and filter by time', async () => {
    const all = await disclosuresFor(t.kith.db, ['Patient/p-1'], {
      includeFailures: true,
      since: '2025-02-15',
    });
    expect(all.map((d) => d.action)).toEqual(['break-glass', 'denied']);
    expect(all[1]).toMatchObject({
      outcome: 'failure',
      reason: 'ETH data without a consent naming org-foodbank',
    });
    expect(await disclosuresFor(t.kith.db, ['Patient/nobody'])).toEqual([]);
  });
});

describe('sign-in events and the audit API', () => {
  it('records failed and successful sign-ins, and serves disclosures to administrators only', async () => {
    const { createUser } = await import('../privacy/auth');
    await createUser(t.kith.db, {
      username: 'steward',
      password: 'steward-pass-1',
      accessLevel: 'view-only',
      roles: ['data-steward'],
    });
    await createUser(t.kith.db, { username: 'plain', password: 'plain-pass-12', accessLevel: 'edit' });
    const bad = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'steward', password: 'nope-nope' },
      remoteAddress: '192.0.2.7',
    });
    expect(bad.statusCode).toBe(401);
    const { rows } = await t.kith.db.query(
      `select event::text as e from audit_events where action = 'login-failed'`,
    );
    const failed = JSON.parse(rows[0].e);
    expect(failed).toMatchObject({
      outcome: '4',
      outcomeDesc: 'bad-password',
      agent: [{ altId: 'steward', network: { address: '192.0.2.7' } }],
    });
    expect(failed.type).toMatchObject({ code: '110114' });

    const steward = (
      await app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'steward', password: 'steward-pass-1' },
      })
    ).json();
    // Stewards review identity, not who read a person's data: the policy opens AuditEvent to
    // administrators only, and the report follows it.
    const asSteward = await app.inject({
      url: '/api/audit/disclosures?patient=Patient/p-1',
      headers: { authorization: `Bearer ${steward.access_token}` },
    });
    expect(asSteward.statusCode).toBe(403);
    await createUser(t.kith.db, {
      username: 'privacy.officer',
      password: 'officer-pass-12',
      accessLevel: 'view-only',
      roles: ['administrator'],
      purposeOfUse: 'HOPERAT',
    });
    const officer = (
      await app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'privacy.officer', password: 'officer-pass-12' },
      })
    ).json();
    const res = await app.inject({
      url: '/api/audit/disclosures?patient=Patient/p-1',
      headers: { authorization: `Bearer ${officer.access_token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().count).toBe(3);
    const plain = (
      await app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'plain', password: 'plain-pass-12' },
      })
    ).json();
    const refused = await app.inject({
      url: '/api/audit/disclosures?patient=Patient/p-1',
      headers: { authorization: `Bearer ${plain.access_token}` },
    });
    expect(refused.statusCode).toBe(403);
    expect((await app.inject({ url: '/api/audit/disclosures?patient=Patient/p-1' })).statusCode).toBe(401);
    // The officer's look at p-1's history is itself in p-1's history now.
    const after = await disclosuresFor(t.kith.db, ['Patient/p-1']);
    expect(after[0]).toMatchObject({
      action: 'search',
      who: { display: 'privacy.officer' },
      query: 'AuditEvent?entity=Patient/p-1',
    });
    const { rows: logins } = await t.kith.db.query(
      `select count(*)::int as n from audit_events where action = 'login'`,
    );
    expect(logins[0].n).toBe(3);
    expect((await verifyAuditChain(t.kith.db)).ok).toBe(true);
  });
});
