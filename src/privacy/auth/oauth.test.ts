import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SignJWT,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  createLocalJWKSet,
  type CryptoKey,
} from 'jose';
import { createClient } from './clients';
import { createUser } from './users';
import { JWT_BEARER_ASSERTION } from './assertion';
import { startAuthTest, TEST_ISSUER, type AuthTestEnv } from './test-app';

let env: AuthTestEnv;
let es384: { privateKey: CryptoKey; kid: string };
let rs384: { privateKey: CryptoKey; kid: string };
const TOKEN_URL = `${TEST_ISSUER}/oauth2/token`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const REDIRECT = 'https://app.example.org/callback';

const form = (o: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined) as [string, string][]).toString();
const token = (params: Record<string, string | undefined>, headers: Record<string, string> = {}) =>
  env.app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { ...FORM, ...headers },
    payload: form(params),
  });
const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
});

async function assertion(
  key: { privateKey: CryptoKey; kid: string },
  alg: string,
  o: { iss?: string; sub?: string; aud?: string; exp?: number; jti?: string } = {},
) {
  return new SignJWT({})
    .setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(o.iss ?? 'backend')
    .setSubject(o.sub ?? o.iss ?? 'backend')
    .setAudience(o.aud ?? TOKEN_URL)
    .setExpirationTime(o.exp ?? Math.floor(Date.now() / 1000) + 240)
    .setJti(o.jti ?? randomUUID())
    .sign(key.privateKey);
}

beforeAll(async () => {
  env = await startAuthTest();
  const db = env.test.kith.db;
  const a = await generateKeyPair('ES384');
  const b = await generateKeyPair('RS384');
  es384 = { privateKey: a.privateKey, kid: 'es-1' };
  rs384 = { privateKey: b.privateKey, kid: 'rs-1' };
  const jwks = {
    keys: [
      { ...(await exportJWK(a.publicKey)), kid: 'es-1', alg: 'ES384' },
      { ...(await exportJWK(b.publicKey)), kid: 'rs-1', alg: 'RS384' },
    ],
  };
  await createClient(db, {
    clientId: 'backend',
    name: 'HMIS bridge',
    jwks,
    scope: 'system/Patient.rs system/Observation.cruds',
    organization: { id: 'org-state', kind: 'state', hipaaCoveredEntity: false, part2Program: false },
    accessLevel: 'edit',
  });
  await createClient(db, {
    clientId: 'secret-client',
    name: 'Reporting job',
    secret: 'secret-client-secret-123',
    scope: 'system/*.rs',
  });
  await createClient(db, {
    clientId: 'smart-app',
    name: 'Care Plan Viewer',
    redirectUris: [REDIRECT],
    grantTypes: ['authorization_code', 'refresh_token'],
    scope: 'openid fhirUser launch/patient offline_access patient/*.rs user/*.rs',
  });
  await createUser(db, {
    username: 'pat',
    password: 'pat-password-1',
    displayName: 'Pat Kim',
    practitionerRole: 'PractitionerRole/pr-pat',
    organization: { id: 'org-clinic', kind: 'provider', hipaaCoveredEntity: true, part2Program: false },
    accessLevel: 'edit',
  });
  // The people an app may be bound to: p-123 normal data (a covered entity sees it for treatment);
  // p-hidden restricted (R) data nobody consented to share with the clinic.
  for (const patient of [
    { resourceType: 'Patient', id: 'p-123', name: [{ family: 'Visible' }] },
    {
      resourceType: 'Patient',
      id: 'p-hidden',
      name: [{ family: 'Hidden' }],
      meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] },
    },
  ]) {
    const res = await env.test.inject({
      method: 'PUT',
      url: `/fhir/Patient/${patient.id}`,
      headers: { 'content-type': 'application/fhir+json' },
      payload: patient,
    });
    expect(res.statusCode, res.body).toBe(201);
  }
});
afterAll(async () => env?.close());

describe('client_credentials with a client secret', () => {
  it('accepts client_secret_basic and client_secret_post', async () => {
    const viaBasic = await token(
      { grant_type: 'client_credentials', scope: 'system/Patient.rs' },
      basic('secret-client', 'secret-client-secret-123'),
    );
    expect(viaBasic.statusCode).toBe(200);
    expect(viaBasic.headers['cache-control']).toBe('no-store');
    expect(viaBasic.json()).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'system/Patient.rs',
    });
    expect(viaBasic.json().refresh_token).toBeUndefined();
    const caller = await env.auth.verifyAccessToken(viaBasic.json().access_token);
    expect(caller).toMatchObject({ kind: 'client', subject: 'secret-client', purposeOfUse: 'HOPERAT' });
    const viaPost = await token({
      grant_type: 'client_credentials',
      client_id: 'secret-client',
      client_secret: 'secret-client-secret-123',
    });
    expect(viaPost.statusCode).toBe(200);
    expect(viaPost.json().scope).toBe('system/*.rs');
  });

  it('refuses a wrong secret, an unknown client, scopes beyond the registration and a JSON body', async () => {
    const wrong = await token(
      { grant_type: 'client_credentials' },
      basic('secret-client', 'not-the-secret-at-all'),
    );
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('invalid_client');
    expect(wrong.headers['www-authenticate']).toContain('Basic');
    expect(
      (await token({ grant_type: 'client_credentials' }, basic('nobody', 'whatever-whatever'))).statusCode,
    ).toBe(401);
    const tooMuch = await token(
      { grant_type: 'client_credentials', scope: 'system/Patient.c' },
      basic('secret-client', 'secret-client-secret-123'),
    );
    expect(tooMuch.json().error).toBe('invalid_scope');
    const json = await env.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      payload: { grant_type: 'client_credentials' },
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().error).toBe('invalid_request');
    const grant = await token({ grant_type: 'password' }, basic('secret-client', 'secret-client-secret-123'));
    expect(grant.json().error).toBe('unsupported_grant_type');
    expect(env.events.some((e) => e.type === 'token-failed' && e.reason === 'invalid_client')).toBe(true);
  });
});

describe('client_credentials with a signed assertion (SMART Backend Services)', () => {
  const backendToken = (jwt: string, extra: Record<string, string> = {}) =>
    token({
      grant_type: 'client_credentials',
      scope: 'system/Observation.rs system/Patient.rs',
      client_assertion_type: JWT_BEARER_ASSERTION,
      client_assertion: jwt,
      ...extra,
    });

  it('issues a token for ES384 and RS384 assertions', async () => {
    for (const [key, alg] of [
      [es384, 'ES384'],
      [rs384, 'RS384'],
    ] as const) {
      const res = await backendToken(await assertion(key, alg));
      expect(res.statusCode, alg).toBe(200);
      expect(res.json().scope).toBe('system/Observation.rs system/Patient.rs');
      const caller = await env.auth.verifyAccessToken(res.json().access_token);
      expect(caller.organization?.id).toBe('org-state');
      expect(caller.subject).toBe('backend');
    }
  });

  it('refuses a replayed jti, a wrong audience, a far expiry, iss ≠ sub, an expired or foreign-signed assertion', async () => {
    const jwt = await assertion(es384, 'ES384');
    expect((await backendToken(jwt)).statusCode).toBe(200);
    const replay = await backendToken(jwt);
    expect(replay.json()).toMatchObject({ error: 'invalid_client' });
    expect(replay.json().error_description).toContain('jti');

    const cases: [string, Promise<string>][] = [
      ['aud', assertion(es384, 'ES384', { aud: 'https://other.example/oauth2/token' })],
      ['five minutes', assertion(es384, 'ES384', { exp: Math.floor(Date.now() / 1000) + 3600 })],
      ['iss and sub', assertion(es384, 'ES384', { sub: 'someone-else' })],
      ['expired', assertion(es384, 'ES384', { exp: Math.floor(Date.now() / 1000) - 120 })],
    ];
    for (const [what, p] of cases) {
      const res = await backendToken(await p);
      expect(res.statusCode, what).toBe(401);
      expect(res.json().error_description, what).toContain(what);
    }
    const other = await generateKeyPair('ES384');
    const forged = await assertion({ privateKey: other.privateKey, kid: 'es-1' }, 'ES384');
    expect((await backendToken(forged)).json().error_description).toContain('does not verify');
    const unknownClient = await assertion(es384, 'ES384', { iss: 'not-registered' });
    expect((await backendToken(unknownClient)).statusCode).toBe(401);
    // A secret client cannot use an assertion, and the assertion client cannot use a secret.
    const secretOnly = await token(
      { grant_type: 'client_credentials' },
      basic('backend', 'guessed-secret-123456'),
    );
    expect(secretOnly.statusCode).toBe(401);
  });
});

describe('authorization_code with PKCE', () => {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorizeQuery = {
    response_type: 'code',
    client_id: 'smart-app',
    redirect_uri: REDIRECT,
    scope: 'openid fhirUser launch/patient offline_access patient/*.rs user/Observation.cruds',
    state: 'xyz-state',
    aud: `${TEST_ISSUER}/fhir`,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    nonce: 'n-1',
  };

  async function getCode(overrides: Record<string, string | undefined> = {}): Promise<string> {
    const res = await env.app.inject({
      method: 'POST',
      url: '/oauth2/authorize',
      headers: FORM,
      payload: `${form({
        ...authorizeQuery,
        username: 'pat',
        password: 'pat-password-1',
        patient: 'p-123',
        decision: 'approve',
        ...overrides,
      })}&grant=${encodeURIComponent('patient/*.rs')}&grant=${encodeURIComponent('user/Observation.rs')}`,
    });
    expect(res.statusCode, res.body).toBe(302);
    const location = new URL(res.headers.location as string);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('xyz-state');
    return location.searchParams.get('code') as string;
  }

  it('shows a sign-in and consent page for a valid request', async () => {
    const res = await env.app.inject({ url: `/oauth2/authorize?${form(authorizeQuery)}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Care Plan Viewer');
    expect(res.body).toContain('name="password"');
    expect(res.body).toContain('value="patient/*.rs"');
    // The app registered user/*.rs, so a write scope is not even offered.
    expect(res.body).toContain('value="user/Observation.rs"');
    expect(res.body).not.toContain('name="grant" value="user/Observation.cruds"');
    expect(res.headers['content-security-policy']).toContain("form-action 'self' https://app.example.org");
  });

  it('refuses unregistered redirect URIs on the page and other errors by redirect', async () => {
    const bad = await env.app.inject({
      url: `/oauth2/authorize?${form({ ...authorizeQuery, redirect_uri: 'https://evil.example/cb' })}`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers.location).toBeUndefined();
    const noPkce = await env.app.inject({
      url: `/oauth2/authorize?${form({ ...authorizeQuery, code_challenge: undefined })}`,
    });
    expect(noPkce.statusCode).toBe(302);
    expect(noPkce.headers.location).toContain('error=invalid_request');
    const plain = await env.app.inject({
      url: `/oauth2/authorize?${form({ ...authorizeQuery, code_challenge_method: 'plain' })}`,
    });
    expect(plain.headers.location).toContain('error=invalid_request');
    const deny = await env.app.inject({
      method: 'POST',
      url: '/oauth2/authorize',
      headers: FORM,
      payload: form({ ...authorizeQuery, decision: 'deny' }),
    });
    expect(deny.headers.location).toContain('error=access_denied');
    const wrongPassword = await env.app.inject({
      method: 'POST',
      url: '/oauth2/authorize',
      headers: FORM,
      payload: form({ ...authorizeQuery, username: 'pat', password: 'nope-nope-nope', decision: 'approve' }),
    });
    expect(wrongPassword.statusCode).toBe(401);
    expect(wrongPassword.body).toContain('Unknown username or wrong password');
  });

  it('binds a token only to a patient the user may see; otherwise refuses, says why, and records it', async () => {
    const attempt = (patient: string) =>
      env.app.inject({
        method: 'POST',
        url: '/oauth2/authorize',
        headers: FORM,
        payload: `${form({
          ...authorizeQuery,
          username: 'pat',
          password: 'pat-password-1',
          patient,
          decision: 'approve',
        })}&grant=${encodeURIComponent('patient/*.rs')}`,
      });
    for (const patient of ['p-hidden', 'p-nobody']) {
      const before = env.events.length;
      const res = await attempt(patient);
      expect(res.statusCode, patient).toBe(403);
      expect(res.headers.location).toBeUndefined(); // no code issued
      expect(res.body).toContain(`You cannot share Patient/${patient}: it is not a record you may see`);
      // Hidden and absent read the same: the page confirms nothing.
      expect(res.body.replace(patient, 'X')).toBe((await attempt('p-hidden')).body.replace('p-hidden', 'X'));
      expect(env.events.slice(before)[0]).toMatchObject({
        type: 'login-failed',
        reason: 'patient-not-visible',
        username: 'pat',
        clientId: 'smart-app',
      });
    }
    // The guarded read that refused it is in the audit trail too, with the policy's rule.
    const { rows } = await env.test.kith.db.query(
      `select event::jsonb as e from audit_events where action = 'denied' order by seq`,
    );
    expect(JSON.stringify(rows.map((r: any) => r.e))).toContain('Patient/p-hidden');
    // A person the user may see: a code, bound to that patient.
    const ok = await attempt('p-123');
    expect(ok.statusCode).toBe(302);
    expect(new URL(ok.headers.location as string).searchParams.get('code')).toBeTruthy();
  });

  it('exchanges the code once, with the right verifier, for tokens bound to the patient', async () => {
    const code = await getCode();
    const wrongVerifier = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: 'smart-app',
      code_verifier: randomBytes(32).toString('base64url'),
    });
    expect(wrongVerifier.json().error).toBe('invalid_grant');

    const code2 = await getCode();
    const exchange = () =>
      token({
        grant_type: 'authorization_code',
        code: code2,
        redirect_uri: REDIRECT,
        client_id: 'smart-app',
        code_verifier: verifier,
      });
    const res = await exchange();
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.patient).toBe('p-123');
    expect(body.scope).toBe('openid fhirUser launch/patient offline_access patient/*.rs user/Observation.rs');
    expect(body.refresh_token).toBeTruthy();
    const caller = await env.auth.verifyAccessToken(body.access_token);
    expect(caller).toMatchObject({
      kind: 'user',
      clientId: 'smart-app',
      patient: 'Patient/p-123',
      practitionerRole: 'PractitionerRole/pr-pat',
    });
    const { payload } = await jwtVerify(body.id_token, createLocalJWKSet(env.auth.jwks()), {
      issuer: TEST_ISSUER,
      audience: 'smart-app',
    });
    expect(payload).toMatchObject({ nonce: 'n-1', fhirUser: `${TEST_ISSUER}/fhir/PractitionerRole/pr-pat` });

    // The same code again: refused, and the refresh token it produced is revoked.
    expect((await exchange()).json().error).toBe('invalid_grant');
    const refresh = await token({
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token,
      client_id: 'smart-app',
    });
    expect(refresh.json().error).toBe('invalid_grant');
  });

  it('refreshes with rotation, and never widens the scope', async () => {
    const code = await getCode();
    const first = (
      await token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: 'smart-app',
        code_verifier: verifier,
      })
    ).json();
    const narrowed = await token({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
      client_id: 'smart-app',
      scope: 'patient/Observation.rs user/*.cruds',
    });
    expect(narrowed.statusCode, narrowed.body).toBe(200);
    expect(narrowed.json().scope).toBe('patient/Observation.rs user/Observation.rs');
    expect(narrowed.json().refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(narrowed.json().access_token).patient).toBe('Patient/p-123');
    // Another client cannot use this client's refresh token.
    const stolen = await token(
      { grant_type: 'refresh_token', refresh_token: narrowed.json().refresh_token },
      basic('secret-client', 'secret-client-secret-123'),
    );
    expect(stolen.json().error).toBe('invalid_grant');
  });
});

describe('discovery', () => {
  it('publishes SMART configuration at both addresses', async () => {
    for (const url of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
      const doc = (await env.app.inject({ url })).json();
      expect(doc).toMatchObject({
        issuer: TEST_ISSUER,
        token_endpoint: TOKEN_URL,
        authorization_endpoint: `${TEST_ISSUER}/oauth2/authorize`,
        jwks_uri: `${TEST_ISSUER}/.well-known/jwks.json`,
        code_challenge_methods_supported: ['S256'],
      });
      expect(doc.grant_types_supported).toEqual(
        expect.arrayContaining(['authorization_code', 'client_credentials', 'refresh_token']),
      );
      expect(doc.token_endpoint_auth_methods_supported).toEqual(
        expect.arrayContaining(['private_key_jwt', 'client_secret_basic']),
      );
      expect(doc.scopes_supported).toEqual(
        expect.arrayContaining(['patient/*.rs', 'user/*.cruds', 'system/*.cruds']),
      );
      expect(doc.capabilities).toEqual(
        expect.arrayContaining(['permission-v2', 'client-confidential-asymmetric', 'launch-standalone']),
      );
    }
    const oidc = (await env.app.inject({ url: '/.well-known/openid-configuration' })).json();
    expect(oidc.id_token_signing_alg_values_supported).toEqual(['ES256']);
  });
});
