import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import type { Caller } from '../caller';
import { TokenError } from './errors';
import type { AuthService } from './service';
import { createUser, setUserDisabled } from './users';
import { startAuthTest, type AuthTestEnv } from './test-app';

let env: AuthTestEnv;
let idp: FastifyInstance;
let issuer: string;
let signingKey: CryptoKey;
let auth: AuthService;
let app: FastifyInstance;

async function idpToken(
  claims: Record<string, unknown>,
  o: { aud?: string; exp?: number; key?: CryptoKey } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
    .setIssuer(issuer)
    .setAudience(o.aud ?? 'kith')
    .setIssuedAt()
    .setExpirationTime(o.exp ?? Math.floor(Date.now() / 1000) + 300)
    .sign(o.key ?? signingKey);
}

async function verify(token: string): Promise<Caller | string> {
  try {
    return await auth.verifyAccessToken(token);
  } catch (err) {
    if (err instanceof TokenError) return err.reason;
    throw err;
  }
}

beforeAll(async () => {
  // A tiny identity provider on 127.0.0.1: discovery document and JWKS, like Keycloak or Entra ID.
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  signingKey = privateKey;
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  idp = Fastify();
  idp.get('/realms/county/.well-known/openid-configuration', async () => ({
    issuer,
    jwks_uri: `${issuer}/protocol/openid-connect/certs`,
    authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
  }));
  idp.get('/realms/county/protocol/openid-connect/certs', async () => ({ keys: [jwk] }));
  const address = await idp.listen({ host: '127.0.0.1', port: 0 });
  issuer = `${address}/realms/county`;

  env = await startAuthTest();
  ({ auth, app } = await env.makeApp({
    oidc: {
      issuer,
      audience: 'kith',
      algorithms: ['RS256'],
      match: [
        { claim: 'sub', field: 'external_subject' },
        { claim: 'email', field: 'email' },
        { claim: 'preferred_username', field: 'username' },
      ],
    },
  }));
  const db = env.test.kith.db;
  const org = {
    id: 'org-hsa',
    kind: 'county-agency' as const,
    hipaaCoveredEntity: true,
    part2Program: false,
  };
  await createUser(db, {
    username: 'jordan',
    externalSubject: 'f3a9-ext',
    accessLevel: 'edit',
    organization: org,
  });
  await createUser(db, { username: 'robin', email: 'Robin@County.example', accessLevel: 'view-only' });
  await createUser(db, { username: 'sam', password: 'sam-password-1', accessLevel: 'exchange' });
});
afterAll(async () => {
  await env?.close();
  await idp?.close();
});

describe('trusting an external OpenID Connect provider', () => {
  it('maps sub, then a verified email, then preferred_username to a Kith user', async () => {
    const bySub = (await verify(await idpToken({ sub: 'f3a9-ext' }))) as Caller;
    expect(bySub).toMatchObject({ kind: 'user', displayName: 'jordan', accessLevel: 'edit' });
    expect(bySub.organization?.id).toBe('org-hsa');
    expect(bySub.scopes).toEqual([{ context: 'user', type: '*', ops: 'cruds' }]);

    const byEmail = (await verify(await idpToken({ sub: 'other', email: 'robin@county.example' }))) as Caller;
    expect(byEmail.displayName).toBe('robin');
    expect(byEmail.scopes).toEqual([{ context: 'user', type: '*', ops: 'rs' }]);
    expect(
      await verify(await idpToken({ sub: 'other', email: 'robin@county.example', email_verified: false })),
    ).toBe('unknown-user');
    const byName = (await verify(await idpToken({ sub: 'x', preferred_username: 'SAM' }))) as Caller;
    expect(byName.displayName).toBe('sam');
    expect(await verify(await idpToken({ sub: 'stranger' }))).toBe('unknown-user');
  });

  it('narrows to SMART scopes the provider put in the token', async () => {
    const c = (await verify(
      await idpToken({ sub: 'f3a9-ext', scope: 'openid user/Observation.rs' }),
    )) as Caller;
    expect(c.scopes).toEqual([{ context: 'user', type: 'Observation', ops: 'rs' }]);
  });

  it("refuses the provider's tokens with a wrong audience, expired, or signed by another key", async () => {
    expect(await verify(await idpToken({ sub: 'f3a9-ext' }, { aud: 'another-app' }))).toBe('audience');
    expect(
      await verify(await idpToken({ sub: 'f3a9-ext' }, { exp: Math.floor(Date.now() / 1000) - 120 })),
    ).toBe('expired');
    const other = await generateKeyPair('RS256');
    expect(await verify(await idpToken({ sub: 'f3a9-ext' }, { key: other.privateKey }))).toBe('signature');
  });

  it('refuses disabled users', async () => {
    await setUserDisabled(env.test.kith.db, 'jordan', true);
    expect(await verify(await idpToken({ sub: 'f3a9-ext' }))).toBe('disabled');
    await setUserDisabled(env.test.kith.db, 'jordan', false);
  });

  it("still accepts Kith's own tokens, and works through requireAuth", async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'sam', password: 'sam-password-1' },
    });
    expect(((await verify(login.json().access_token)) as Caller).displayName).toBe('sam');
    const res = await app.inject({
      url: '/fhir/Patient/1',
      headers: { authorization: `Bearer ${await idpToken({ sub: 'f3a9-ext' })}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().caller.displayName).toBe('jordan');
    const smart = (await app.inject({ url: '/.well-known/smart-configuration' })).json();
    expect(smart['kith:trusted_oidc_issuer']).toBe(issuer);
  });
});
