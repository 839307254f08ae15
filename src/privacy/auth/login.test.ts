import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAuth, bootstrapNotice } from './bootstrap';
import { createUser, listUsers, setUserDisabled, setUserPassword } from './users';
import { startAuthTest, type AuthTestEnv } from './test-app';

let env: AuthTestEnv;
const org = {
  id: 'org-county',
  kind: 'county-agency' as const,
  hipaaCoveredEntity: true,
  part2Program: false,
};

beforeAll(async () => {
  env = await startAuthTest({ login: { maxFailures: 3, windowSeconds: 60, lockoutSeconds: 2 } });
  await createUser(env.test.kith.db, {
    username: 'Casey',
    password: 'casey-password-1',
    displayName: 'Casey Nguyen',
    practitionerRole: 'PractitionerRole/pr-casey',
    organization: org,
    accessLevel: 'view-only',
    purposeOfUse: 'CAREMGT',
  });
});
afterAll(async () => env?.close());

const login = (payload: Record<string, unknown>, ip = '10.0.0.1') =>
  env.app.inject({ method: 'POST', url: '/auth/login', payload, remoteAddress: ip });

describe('sign-in', () => {
  it('issues an access token for the user, and a refresh token (body and HttpOnly cookie)', async () => {
    const res = await login({ username: 'casey', password: 'casey-password-1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'user/*.rs',
      user: { username: 'casey', displayName: 'Casey Nguyen', accessLevel: 'view-only', organization: org },
    });
    expect(String(res.headers['set-cookie'])).toMatch(
      /^kith_refresh=.+; Path=\/auth; HttpOnly; SameSite=Strict/,
    );
    const caller = await env.auth.verifyAccessToken(body.access_token);
    expect(caller).toMatchObject({
      kind: 'user',
      practitionerRole: 'PractitionerRole/pr-casey',
      organization: org,
      accessLevel: 'view-only',
      purposeOfUse: 'CAREMGT',
      scopes: [{ context: 'user', type: '*', ops: 'rs' }],
    });
    // The cookie alone renews the session.
    const cookie = String(res.headers['set-cookie']).split(';')[0];
    const renewed = await env.app.inject({ method: 'POST', url: '/auth/refresh', headers: { cookie } });
    expect(renewed.statusCode).toBe(200);
    expect((await env.auth.verifyAccessToken(renewed.json().access_token)).purposeOfUse).toBe('CAREMGT');
    const me = await env.app.inject({
      url: '/auth/me',
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(me.json().displayName).toBe('Casey Nguyen');
  });

  it('takes JSON only (a cross-site form cannot sign someone in)', async () => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=casey&password=casey-password-1',
    });
    expect(res.statusCode).toBe(422);
  });

  it('lets the user pick a purpose of use, but never break-glass', async () => {
    const ok = await login({ username: 'casey', password: 'casey-password-1', purposeOfUse: 'TREAT' });
    expect((await env.auth.verifyAccessToken(ok.json().access_token)).purposeOfUse).toBe('TREAT');
    const btg = await login({ username: 'casey', password: 'casey-password-1', purposeOfUse: 'ETREAT' });
    expect(btg.statusCode).toBe(403);
    expect(btg.json().issue[0].diagnostics).toContain('ask for break-glass access with a reason');
    const junk = await login({ username: 'casey', password: 'casey-password-1', purposeOfUse: 'treat me' });
    expect(junk.statusCode).toBe(422);
  });

  it('answers the same for an unknown user and a wrong password, and reports both', async () => {
    const unknown = await login({ username: 'nobody', password: 'whatever-123' }, '10.0.0.9');
    const wrong = await login({ username: 'casey', password: 'wrong-password' }, '10.0.0.9');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json().issue[0].diagnostics).toBe(wrong.json().issue[0].diagnostics);
    const failed = env.events.filter((e) => e.type === 'login-failed' && e.ip === '10.0.0.9');
    expect(failed.map((e) => [e.username, e.reason])).toEqual([
      ['nobody', 'unknown-user'],
      ['casey', 'bad-password'],
    ]);
  });

  it('locks a username and address after repeated failures, for the lockout window', async () => {
    const ip = '10.0.0.2';
    expect((await login({ username: 'casey', password: 'bad-1-password' }, ip)).statusCode).toBe(401);
    expect((await login({ username: 'casey', password: 'bad-2-password' }, ip)).statusCode).toBe(401);
    const third = await login({ username: 'casey', password: 'bad-3-password' }, ip);
    expect(third.statusCode).toBe(429);
    expect(Number(third.headers['retry-after'])).toBe(2);
    // Locked: even the right password is refused, without being checked.
    const locked = await login({ username: 'casey', password: 'casey-password-1' }, ip);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().issue[0].code).toBe('throttled');
    expect(env.events.some((e) => e.type === 'login-failed' && e.reason === 'locked' && e.ip === ip)).toBe(
      true,
    );
    // Another address is not locked out by this one.
    expect((await login({ username: 'casey', password: 'casey-password-1' }, '10.0.0.3')).statusCode).toBe(
      200,
    );
    await new Promise((r) => setTimeout(r, 2200));
    expect((await login({ username: 'casey', password: 'casey-password-1' }, ip)).statusCode).toBe(200);
  });

  it('refuses disabled users and ends their sessions; a password change ends sessions too', async () => {
    const db = env.test.kith.db;
    await createUser(db, { username: 'temp', password: 'temp-password-1', accessLevel: 'edit' });
    const session = (await login({ username: 'temp', password: 'temp-password-1' })).json();
    await setUserDisabled(db, 'temp', true);
    expect((await login({ username: 'temp', password: 'temp-password-1' })).statusCode).toBe(401);
    const refresh = await env.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refresh_token: session.refresh_token },
    });
    expect(refresh.statusCode).toBe(401);
    await setUserDisabled(db, 'temp', false);
    const again = (await login({ username: 'temp', password: 'temp-password-1' })).json();
    await setUserPassword(db, 'temp', 'temp-password-2');
    const after = await env.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refresh_token: again.refresh_token },
    });
    expect(after.statusCode).toBe(401);
    expect((await login({ username: 'temp', password: 'temp-password-2' })).statusCode).toBe(200);
  });

  it('stores Argon2id hashes only', async () => {
    const { rows } = await env.test.kith.db.query('select password_hash from auth_users');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});

describe('security headers and CORS', () => {
  it('sets the headers on API answers', async () => {
    const res = await env.app.inject({ url: '/fhir/metadata' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['strict-transport-security']).toBeUndefined();
    const https = await env.app.inject({ url: '/fhir/metadata', headers: { 'x-forwarded-proto': 'https' } });
    expect(https.headers['strict-transport-security']).toBeUndefined(); // not trusted without trustProxy
  });

  it('answers preflights for allowed origins only', async () => {
    const ok = await env.app.inject({
      method: 'OPTIONS',
      url: '/fhir/Patient/1',
      headers: { origin: 'https://app.example.org', 'access-control-request-method': 'GET' },
    });
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(ok.headers['access-control-allow-headers']).toContain('Authorization');
    const no = await env.app.inject({
      method: 'OPTIONS',
      url: '/fhir/Patient/1',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(no.headers['access-control-allow-origin']).toBeUndefined();
    const get = await env.app.inject({
      url: '/fhir/metadata',
      headers: { origin: 'https://app.example.org' },
    });
    expect(get.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(get.headers.vary).toContain('Origin');
  });
});

describe('bootstrap', () => {
  it('creates the administrator and system client once, from the environment or generated', async () => {
    const db = env.test.kith.db;
    const first = await bootstrapAuth(db, { KITH_BOOTSTRAP_CLIENT_SECRET: 'a-secret-from-the-environment' });
    expect(first.admin?.username).toBe('admin');
    expect(first.admin?.password).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
    expect(first.client).toEqual({ clientId: 'kith-system', clientSecret: undefined });
    expect(bootstrapNotice(first)).toHaveLength(2);
    expect(await bootstrapAuth(db, {})).toEqual({});
    const admin = (await listUsers(db)).find((u) => u.username === 'admin');
    expect(admin).toMatchObject({ roles: ['administrator'], accessLevel: 'edit' });
    const signedIn = await login({ username: 'admin', password: first.admin?.password });
    expect(signedIn.statusCode).toBe(200);
    const token = await env.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('kith-system:a-secret-from-the-environment').toString('base64')}`,
      },
      payload: 'grant_type=client_credentials',
    });
    expect(token.statusCode).toBe(200);
    expect(token.json().scope).toBe('system/*.cruds');
  });
});
