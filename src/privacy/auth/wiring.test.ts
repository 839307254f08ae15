// The auth plugins as buildApp wires them (src/server/auth-wiring.ts): they fit its error handler,
// body parsers and FHIR routes, and sign-ins land in the audit chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, TEST_ADMIN, TEST_CLIENT, type TestKith } from '../../../test/helpers/kith';
import { verifyAuditChain } from '../../audit/verify';

let t: TestKith;

beforeAll(async () => {
  t = await startTestKith();
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

  it('lets a signed-in administrator and the system client through, and audits sign-ins', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: TEST_ADMIN.username, password: TEST_ADMIN.password },
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
      payload: `grant_type=client_credentials&client_id=${TEST_CLIENT.clientId}&client_secret=${TEST_CLIENT.clientSecret}`,
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
      payload: { username: TEST_ADMIN.username, password: 'wrong-password' },
    });
    expect(bad.statusCode).toBe(401);
    const { rows } = await t.kith.db.query(
      `select action from audit_events where action like 'login%' order by seq`,
    );
    expect(rows.map((r) => r.action)).toEqual(['login', 'login', 'login-failed']);
    expect((await verifyAuditChain(t.kith.db)).ok).toBe(true);
  });
});
