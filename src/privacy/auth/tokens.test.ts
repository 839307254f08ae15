import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SignJWT, base64url, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import type { Caller } from '../caller';
import { TokenError } from './errors';
import { createUser } from './users';
import { startAuthTest, TEST_ISSUER, type AuthTestEnv } from './test-app';

let env: AuthTestEnv;

const caller: Caller = {
  kind: 'user',
  subject: 'u-1',
  displayName: 'Dana Reyes',
  practitionerRole: 'PractitionerRole/pr-1',
  organization: { id: 'org-cbo', kind: 'cbo', hipaaCoveredEntity: false, part2Program: false },
  accessLevel: 'exchange',
  roles: [],
  purposeOfUse: 'CAREMGT',
  scopes: [{ context: 'user', type: 'Observation', ops: 'rs' }],
};

async function rejection(token: string): Promise<string> {
  try {
    await env.auth.verifyAccessToken(token);
  } catch (err) {
    if (err instanceof TokenError) return err.reason;
    throw err;
  }
  return 'accepted';
}

/** Signs with Kith's own current key, so only the claim under test is wrong. */
async function signWithKithKey(
  claims: Record<string, unknown>,
  opts: { iss?: string; aud?: string; exp?: number } = {},
) {
  const { kid, alg, key } = env.auth.keys.signingKey();
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
    .setIssuer(opts.iss ?? TEST_ISSUER)
    .setAudience(opts.aud ?? `${TEST_ISSUER}/fhir`)
    .setSubject('u-1')
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 600)
    .sign(key);
}

const kithClaims = {
  scope: 'user/Observation.rs',
  kith: { kind: 'user', level: 'edit', roles: [], pou: 'TREAT' },
};

beforeAll(async () => {
  env = await startAuthTest();
});
afterAll(async () => env?.close());

describe('access tokens', () => {
  it('round-trip a Caller', async () => {
    const { token, expiresIn, scope } = await env.auth.tokens.issue(caller);
    expect(expiresIn).toBe(900);
    expect(scope).toBe('user/Observation.rs');
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: TEST_ISSUER, aud: `${TEST_ISSUER}/fhir`, sub: 'u-1' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
    expect(await env.auth.verifyAccessToken(token)).toEqual(caller);
  });

  it('reject an expired token', async () => {
    const { token } = await env.auth.tokens.issue(caller, { ttl: 1 });
    const expired = await signWithKithKey(kithClaims, { exp: Math.floor(Date.now() / 1000) - 120 });
    expect(await rejection(expired)).toBe('expired');
    expect(await rejection(token)).toBe('accepted');
  });

  it('reject a wrong issuer and a wrong audience', async () => {
    expect(await rejection(await signWithKithKey(kithClaims, { iss: 'https://evil.example' }))).toBe(
      'issuer',
    );
    expect(await rejection(await signWithKithKey(kithClaims, { aud: 'https://other.example/fhir' }))).toBe(
      'audience',
    );
  });

  it("reject alg 'none' and HMAC tokens", async () => {
    const { token } = await env.auth.tokens.issue(caller);
    const [, payload] = token.split('.');
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))}.${payload}.`;
    expect(await rejection(none)).toBe('algorithm');
    const noneSigned = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))}.${payload}.x`;
    expect(await rejection(noneSigned)).toBe('algorithm');
    const hs = await new SignJWT(kithClaims)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: env.auth.keys.signingKey().kid })
      .setIssuer(TEST_ISSUER)
      .setAudience(`${TEST_ISSUER}/fhir`)
      .setSubject('u-1')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('a-shared-secret-anyone-could-guess'));
    expect(await rejection(hs)).toBe('algorithm');
  });

  it('reject a tampered payload or signature', async () => {
    const { token } = await env.auth.tokens.issue(caller);
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    claims.kith.roles = ['administrator'];
    const tamperedPayload = `${h}.${base64url.encode(JSON.stringify(claims))}.${s}`;
    expect(await rejection(tamperedPayload)).toBe('signature');
    const sig = Buffer.from(s, 'base64url');
    sig[5] ^= 1;
    expect(await rejection(`${h}.${p}.${sig.toString('base64url')}`)).toBe('signature');
  });

  it('answer a token verified before only while it lasts and its key is still known', async () => {
    const { token } = await env.auth.tokens.issue(caller, { ttl: 60 });
    expect(await env.auth.verifyAccessToken(token)).toEqual(caller);
    // Answered from memory: a copy each time, so a request changing its caller changes no other.
    const again = await env.auth.verifyAccessToken(token);
    expect(again).toEqual(caller);
    again.roles.push('administrator');
    expect(await env.auth.verifyAccessToken(token)).toEqual(caller);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 120_000);
      expect(await rejection(token)).toBe('expired');
    } finally {
      vi.useRealTimers();
    }
    // Two rotations retire the key that signed it: its tokens end, remembered or not.
    const { token: other } = await env.auth.tokens.issue(caller);
    expect(await rejection(other)).toBe('accepted');
    await env.auth.keys.rotate();
    await env.auth.keys.rotate();
    expect(await rejection(other)).toBe('unknown-key');
  });

  it('reject a token signed by a key Kith does not know', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(kithClaims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'not-a-kith-key' })
      .setIssuer(TEST_ISSUER)
      .setAudience(`${TEST_ISSUER}/fhir`)
      .setSubject('u-1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(await rejection(forged)).toBe('unknown-key');
    // The right kid but another key: the signature fails.
    const sameKid = await new SignJWT(kithClaims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: env.auth.keys.signingKey().kid })
      .setIssuer(TEST_ISSUER)
      .setAudience(`${TEST_ISSUER}/fhir`)
      .setSubject('u-1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(await rejection(sameKid)).toBe('signature');
  });

  it('reject tokens of another type and claims of the wrong shape', async () => {
    const { kid, alg, key } = env.auth.keys.signingKey();
    const idLike = await new SignJWT(kithClaims)
      .setProtectedHeader({ alg, kid, typ: 'JWT' })
      .setIssuer(TEST_ISSUER)
      .setAudience(`${TEST_ISSUER}/fhir`)
      .setSubject('u-1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
    expect(await rejection(idLike)).toBe('type');
    const badLevel = await signWithKithKey({ ...kithClaims, kith: { ...kithClaims.kith, level: 'god' } });
    expect(await rejection(badLevel)).toBe('claims');
    expect(await rejection('not.a.jwt')).toBe('malformed');
    expect(await rejection('')).toBe('missing');
  });

  it('keep verifying tokens of the previous key after a rotation, and publish both keys', async () => {
    const before = await env.auth.tokens.issue(caller);
    const oldKid = env.auth.keys.signingKey().kid;
    const newKid = await env.auth.rotateSigningKey();
    expect(newKid).not.toBe(oldKid);
    const after = await env.auth.tokens.issue(caller);
    expect(decodeProtectedHeader(after.token).kid).toBe(newKid);
    expect(await rejection(before.token)).toBe('accepted');
    expect(await rejection(after.token)).toBe('accepted');
    const jwks = (await env.app.inject({ url: '/.well-known/jwks.json' })).json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid).sort()).toEqual([oldKid, newKid].sort());
    expect(jwks.keys.every((k: Record<string, unknown>) => !('d' in k))).toBe(true);
  });
});

describe('requireAuth and scopes over HTTP', () => {
  it('answers 401 OperationOutcome without a token, and lets public paths through', async () => {
    const res = await env.app.inject({ url: '/fhir/Observation/1' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'login' }] });
    expect((await env.app.inject({ url: '/fhir/metadata' })).statusCode).toBe(200);
    expect((await env.app.inject({ url: '/.well-known/smart-configuration' })).statusCode).toBe(200);
    expect((await env.app.inject({ url: '/fhir/.well-known/smart-configuration' })).statusCode).toBe(200);
    const bad = await env.app.inject({
      url: '/fhir/Observation/1',
      headers: { authorization: 'Bearer abc.def.ghi' },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['www-authenticate']).toContain('invalid_token');
  });

  it('sets req.caller and refuses what the scopes do not cover (403)', async () => {
    const { token } = await env.auth.tokens.issue(caller);
    const headers = { authorization: `Bearer ${token}` };
    const ok = await env.app.inject({ url: '/fhir/Observation/1', headers });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().caller.subject).toBe('u-1');
    expect((await env.app.inject({ url: '/fhir/Condition/1', headers })).statusCode).toBe(403);
    expect((await env.app.inject({ url: '/fhir/Observation/1?op=u', headers })).statusCode).toBe(403);
  });
});

describe('refresh tokens', () => {
  it('rotate on use, refuse reuse (revoking the family), and refuse a revoked token', async () => {
    await createUser(env.test.kith.db, {
      username: 'rt-user',
      password: 'rt-password-1',
      accessLevel: 'edit',
    });
    const login = (
      await env.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'rt-user', password: 'rt-password-1' },
      })
    ).json();
    const r1 = await env.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refresh_token: login.refresh_token },
    });
    expect(r1.statusCode).toBe(200);
    const next = r1.json().refresh_token;
    expect(next).not.toBe(login.refresh_token);
    // The old token again: a replay. It fails and revokes the successor too.
    const replay = await env.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refresh_token: login.refresh_token },
    });
    expect(replay.statusCode).toBe(401);
    const afterReplay = await env.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refresh_token: next },
    });
    expect(afterReplay.statusCode).toBe(401);
    expect(afterReplay.json().issue[0].diagnostics).toContain('revoked');

    // Sign-out revokes.
    const second = (
      await env.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'rt-user', password: 'rt-password-1' },
      })
    ).json();
    const out = await env.app.inject({
      method: 'POST',
      url: '/auth/logout',
      payload: { refresh_token: second.refresh_token },
    });
    expect(out.statusCode).toBe(204);
    const revoked = await env.app.inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: { refresh_token: second.refresh_token },
    });
    expect(revoked.statusCode).toBe(401);
    expect(env.events.some((e) => e.type === 'refresh-failed' && e.reason === 'revoked')).toBe(true);
    expect(env.events.some((e) => e.type === 'refresh-failed' && e.reason === 'reused')).toBe(true);
    expect(env.events.some((e) => e.type === 'logout')).toBe(true);
  });
});
