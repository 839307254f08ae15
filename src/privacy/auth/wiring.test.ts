// The auth plugins on the real server (buildApp), wired the way the README says, to show they fit
// its error handler, body parsers and FHIR routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../../../test/helpers/kith';
import { auditAuthEvents } from '../../audit';
import { verifyAuditChain } from '../../audit/verify';
import { AuthService, authRoutes, bootstrapAuth, loadAuthConfig, requireAuth, securityHeaders } from '.';

let t: TestKith;
let secret: string;

beforeAll(async () => {
  t = await startTestKith();
  const config = loadAuthConfig({ KITH_AUTH_ISSUER: 'http://localhost' });
  const auth = await AuthService.open(t.kith.db, { config, onAuthEvent: auditAuthEvents(t.kith.db) });
  const boot = await bootstrapAuth(t.kith.db, { KITH_ADMIN_PASSWORD: 'admin-password-1' });
  secret = boot.client?.clientSecret as string;
  await t.app.register(securityHeaders, { corsOrigins: [] });
  t.app.addHook('preHandler', requireAuth({ auth }));
  await t.app.register(authRoutes, { auth });
});
afterAll(async () => t?.close());

describe('auth on the real server', () => {
  it('guards the FHIR API and leaves metadata and discovery open', async () => {
    const res = await t.app.inject({ url: '/fhir/Patient' });
    expect(res.statusCode).toBe(401);
    expect(res.json().resourceType).toBe('OperationOutcome');
    expect((await t.app.inject({ url: '/fhir/metadata' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/fhir/.well-known/smart-configuration' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('lets a signed-in administrator and the system client through', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'admin', password: 'admin-password-1' },
    });
    expect(login.statusCode).toBe(200);
    const search = await t.app.inject({
      url: '/fhir/Patient',
      headers: { authorization: `Bearer ${login.json().access_token}` },
    });
    expect(search.statusCode).toBe(200);
    expect(search.headers['x-content-type-options']).toBe('nosniff');
    const token = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&client_id=kith-system&client_secret=${secret}`,
    });
    expect(token.statusCode).toBe(200);
    const create = await t.app.inject({
      method: 'POST',
      url: '/fhir/Patient',
      headers: {
        authorization: `Bearer ${token.json().access_token}`,
        'content-type': 'application/fhir+json',
      },
      payload: { resourceType: 'Patient', name: [{ family: 'Rivera' }] },
    });
    expect(create.statusCode).toBe(201);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'admin', password: 'wrong-password' },
    });
    expect(bad.statusCode).toBe(401);
    const { rows } = await t.kith.db.query('select action from audit_events order by seq');
    expect(rows.map((r) => r.action)).toEqual(['login', 'login', 'login-failed']);
    expect((await verifyAuditChain(t.kith.db)).ok).toBe(true);
  });
});
