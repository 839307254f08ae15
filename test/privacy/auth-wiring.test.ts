// Sign-in and tokens on the real server (buildApp): what needs a token and what does not, the
// sign-in paths that give one, what a token's scopes allow, what a bad token gets, the sign-in
// limit, security headers and error bodies.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWebApp } from '../../src/server/web';
import { FHIR_HEADERS, startTestKith, TEST_CLIENT, type TestKith } from '../helpers/kith';
import { fhirClient, outcomeText } from '../helpers/http';

let t: TestKith;
let webDir: string;

const CLINIC = {
  id: 'alder-clinic',
  kind: 'provider' as const,
  hipaaCoveredEntity: true,
  part2Program: false,
};
const PATIENT = { resourceType: 'Patient', name: [{ family: 'Okafor', given: ['Ada'] }] };

beforeAll(async () => {
  t = await startTestKith({
    auth: {
      corsOrigins: ['https://partner.example.org'],
      login: { maxFailures: 3, windowSeconds: 600, lockoutSeconds: 600 },
    },
  });
  // A stand-in for web/dist: the page and a hashed asset, served without a token.
  webDir = mkdtempSync(path.join(os.tmpdir(), 'kith-web-'));
  mkdirSync(path.join(webDir, 'assets'));
  writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Kith</title><div id="root"></div>');
  writeFileSync(path.join(webDir, 'assets', 'index-abc123.js'), 'console.log("kith")');
  expect(await registerWebApp(t.app, webDir)).toBe(true);
  // A route that fails unexpectedly, to see what an internal error lets out.
  t.app.get('/api/test/explode', async () => {
    throw new Error('secret detail of a failure at /srv/kith/internal.ts:42');
  });
});

afterAll(async () => {
  await t?.close();
  rmSync(webDir, { recursive: true, force: true });
});

const anonymous = () => fhirClient(t.app, { token: null });

async function signIn(username: string, password: string) {
  return t.app.inject({
    method: 'POST',
    url: '/auth/login',
    headers: { 'content-type': 'application/json' },
    payload: { username, password },
    remoteAddress: '192.0.2.10',
  });
}

describe('without a token', () => {
  it('refuses FHIR read, search and create with 401, an OperationOutcome and a Bearer challenge', async () => {
    const created = await fhirClient(t.app).create(PATIENT);
    for (const r of [
      await anonymous().get(`Patient/${created.id}`),
      await anonymous().get('Patient?name=okafor'),
      await anonymous().post('Patient', PATIENT),
      await anonymous().post('/fhir', { resourceType: 'Bundle', type: 'batch', entry: [] }),
      await anonymous().get('Patient/$identity-review'),
    ]) {
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toMatch(/^Bearer realm="kith"/);
      expect(outcomeText(r.body)).toContain('access token');
      expect(r.text).not.toContain('Okafor');
    }
    // Nothing was created by the refused create.
    expect(await fhirClient(t.app).ids('Patient?name=okafor')).toEqual([created.id]);
  });

  it('refuses the app APIs too: audit, notifications inbox, integration, who-am-I', async () => {
    for (const url of [
      '/api/audit/verify',
      '/notify/inbox?recipient=Organization/alder-clinic',
      '/api/integration/channels',
      '/auth/me',
    ]) {
      const r = await t.app.inject({ url, headers: { accept: 'application/json' } });
      expect(r.statusCode, url).toBe(401);
      expect(r.json().resourceType, url).toBe('OperationOutcome');
    }
  });

  it('serves metadata, discovery, health and the web app', async () => {
    const metadata = await anonymous().get('metadata');
    expect(metadata.status).toBe(200);
    expect(metadata.body.resourceType).toBe('CapabilityStatement');
    for (const url of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
      const r = await t.app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.json().token_endpoint).toBe('http://kith.test/oauth2/token');
      expect(r.json().grant_types_supported).toEqual(
        expect.arrayContaining(['client_credentials', 'authorization_code']),
      );
    }
    expect((await t.app.inject({ url: '/.well-known/openid-configuration' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/.well-known/jwks.json' })).json().keys).toHaveLength(1);
    expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const page = await t.app.inject({ url: '/Patient/123', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="root">');
    expect((await t.app.inject({ url: '/assets/index-abc123.js' })).statusCode).toBe(200);
  });

  it('leaves referral links to their own signed token', async () => {
    const r = await t.app.inject({ url: '/referral-link/not-a-real-token' });
    expect(r.statusCode).not.toBe(401);
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
  });
});

describe('sign-in paths', () => {
  it('password sign-in gives a token that works on the FHIR API and says who is signed in', async () => {
    await t.addUser({
      username: 'clinic.edit',
      password: 'clinic-password-1',
      displayName: 'Dana Reyes',
      practitionerRole: 'PractitionerRole/role-clinic-edit',
      organization: CLINIC,
      accessLevel: 'edit',
      purposeOfUse: 'TREAT',
    });
    const login = await signIn('clinic.edit', 'clinic-password-1');
    expect(login.statusCode).toBe(200);
    const session = login.json();
    expect(session).toMatchObject({
      token_type: 'Bearer',
      scope: 'user/*.cruds',
      user: { username: 'clinic.edit', accessLevel: 'edit', organization: { id: 'alder-clinic' } },
    });
    expect(session.refresh_token).toEqual(expect.any(String));
    expect(login.headers['set-cookie']).toMatch(/kith_refresh=.*HttpOnly; SameSite=Strict/);
    const api = fhirClient(t.app, { token: session.access_token });
    expect((await api.get('Patient?name=okafor')).status).toBe(200);
    expect((await api.post('Patient', PATIENT)).status).toBe(201);
    const me = await t.app.inject({
      url: '/auth/me',
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    expect(me.json()).toMatchObject({
      kind: 'user',
      displayName: 'Dana Reyes',
      practitionerRole: 'PractitionerRole/role-clinic-edit',
      organization: CLINIC,
      accessLevel: 'edit',
      purposeOfUse: 'TREAT',
    });
    // The refresh token renews the session once; the old one is then spent.
    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      headers: { 'content-type': 'application/json' },
      payload: { refresh_token: session.refresh_token },
    });
    expect(refreshed.statusCode).toBe(200);
    const again = fhirClient(t.app, { token: refreshed.json().access_token });
    expect((await again.get('Patient?name=okafor')).status).toBe(200);
  });

  it('client_credentials with the bootstrap client gives a system token that may write', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${TEST_CLIENT.clientId}:${TEST_CLIENT.clientSecret}`).toString('base64')}`,
      },
      payload: 'grant_type=client_credentials&scope=system/*.cruds',
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().scope).toBe('system/*.cruds');
    const api = fhirClient(t.app, { token: r.json().access_token });
    expect((await api.post('Patient', PATIENT)).status).toBe(201);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&client_id=${TEST_CLIENT.clientId}&client_secret=not-the-secret`,
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('invalid_client');
  });
});

describe('what a token allows', () => {
  it('a view-only user (user/*.rs) reads and searches but cannot create, update or delete', async () => {
    const { headers, token } = await t.addUser({
      username: 'foodbank.view',
      organization: { id: 'alder-food-bank', kind: 'cbo', hipaaCoveredEntity: false, part2Program: false },
      accessLevel: 'view-only',
      purposeOfUse: 'COC',
    });
    expect(headers.authorization).toBe(`Bearer ${token}`);
    const view = fhirClient(t.app, { token });
    const existing = await fhirClient(t.app).create(PATIENT);
    expect((await view.get('Patient?name=okafor')).status).toBe(200);
    const refused = [
      await view.post('Patient', PATIENT),
      await view.put(`Patient/${existing.id}`, { ...PATIENT, id: existing.id, gender: 'female' }),
      await view.delete(`Patient/${existing.id}`),
      await view.post('/fhir', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource: PATIENT, request: { method: 'POST', url: 'Patient' } }],
      }),
    ];
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(outcomeText(r.body)).toMatch(/scopes do not allow (create|update|delete) on Patient/);
    }
    const unchanged = await fhirClient(t.app).get(`Patient/${existing.id}`);
    expect(unchanged.body.meta.versionId).toBe('1');
  });

  it('the FHIR service acts for the verified caller: an edit user is not a data steward', async () => {
    const { token } = await t.addUser({ username: 'plain.edit', organization: CLINIC, accessLevel: 'edit' });
    const r = await fhirClient(t.app, { token }).post('Person/$identity-undo', {
      resourceType: 'Parameters',
      parameter: [{ name: 'action', valueInteger: 1 }],
    });
    expect(r.status).toBe(403);
    expect(outcomeText(r.body)).toContain('data-steward');
    const admin = await t.app.inject({
      url: '/api/integration/channels',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(admin.statusCode).toBe(403);
  });
});

describe('bad tokens', () => {
  it('refuses expired, tampered, foreign-key and unsigned tokens with 401 invalid_token', async () => {
    const user = await t.addUser({ username: 'short.lived', organization: CLINIC, accessLevel: 'edit' });
    const expired = await t.kith.auth.tokens.issue(
      {
        kind: 'user',
        subject: user.user.id,
        accessLevel: 'edit',
        roles: [],
        purposeOfUse: 'TREAT',
        scopes: [{ context: 'user', type: '*', ops: 'cruds' }],
      },
      { ttl: -120 },
    );
    const [head, body, sig] = user.token.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const elevated = Buffer.from(
      JSON.stringify({ ...claims, kith: { ...claims.kith, roles: ['administrator'] } }),
    );
    const tampered = `${head}.${elevated.toString('base64url')}.${sig}`;
    const { privateKey } = await generateKeyPair('ES256');
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({
        alg: 'ES256',
        typ: 'at+jwt',
        kid: JSON.parse(Buffer.from(head, 'base64url').toString()).kid,
      })
      .sign(privateKey);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${body}.`;
    for (const [name, token] of Object.entries({ expired: expired.token, tampered, foreign, unsigned })) {
      const r = await fhirClient(t.app, { token }).get('Patient');
      expect(r.status, name).toBe(401);
      expect(r.headers['www-authenticate'], name).toContain('error="invalid_token"');
      expect(r.body.resourceType, name).toBe('OperationOutcome');
    }
    const garbled = await t.app.inject({ url: '/fhir/Patient', headers: { authorization: 'Basic abc' } });
    expect(garbled.statusCode).toBe(401);
  });
});

describe('sign-in limit', () => {
  it('locks a username at an address after 3 failures, even for the right password', async () => {
    await t.addUser({ username: 'shelter.edit', password: 'shelter-password-1', accessLevel: 'edit' });
    for (let i = 0; i < 2; i++) expect((await signIn('shelter.edit', 'wrong-password')).statusCode).toBe(401);
    const third = await signIn('shelter.edit', 'wrong-password');
    expect(third.statusCode).toBe(429);
    const locked = await signIn('shelter.edit', 'shelter-password-1');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(outcomeText(locked.json())).toContain('Too many failed sign-ins');
    const { rows } = await t.kith.db.query(
      `select count(*)::int as n from audit_events where action = 'login-failed'`,
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(4);
  });
});

describe('headers and error bodies', () => {
  it('sets security headers on API answers and a page CSP that lets the web app load its own files', async () => {
    const api = await t.inject({ url: '/fhir/Patient', headers: FHIR_HEADERS });
    expect(api.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      // Health data never sits in a browser cache (nor is a stale copy served after a write).
      'cache-control': 'no-store',
    });
    expect(api.headers['content-security-policy']).toContain("default-src 'none'");
    const page = await t.app.inject({ url: '/', headers: { accept: 'text/html' } });
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-cache');
    // A browser revalidating the page gets a 304 without a content type: it must keep the page CSP.
    const again = await t.app.inject({
      url: '/',
      headers: { accept: 'text/html', 'if-none-match': String(page.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('answers CORS preflights for configured origins only', async () => {
    const preflight = (origin: string) =>
      t.app.inject({
        method: 'OPTIONS',
        url: '/fhir/Patient',
        headers: { origin, 'access-control-request-method': 'GET' },
      });
    const allowed = await preflight('https://partner.example.org');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://partner.example.org');
    expect(allowed.headers['access-control-allow-headers']).toContain('Authorization');
    const other = await preflight('https://evil.example.com');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps stack traces and internal details out of error answers', async () => {
    const boom = await t.inject({ url: '/api/test/explode' });
    expect(boom.statusCode).toBe(500);
    expect(boom.json().resourceType).toBe('OperationOutcome');
    expect(boom.body).not.toContain('secret detail');
    expect(boom.body).not.toMatch(/\bat .*\.ts:\d+/);
    const badJson = await t.inject({
      method: 'POST',
      url: '/fhir/Patient',
      headers: { 'content-type': 'application/fhir+json' },
      payload: '{"resourceType": ',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
    const badLogin = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":',
    });
    expect(badLogin.statusCode).toBe(400);
    expect(badLogin.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});
