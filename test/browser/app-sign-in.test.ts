// Third-party apps signing users in, in Chromium:
// 1. A SMART app (its own origin, served by this test) sends the browser to Kith's /oauth2/authorize
//    with a PKCE challenge; the user signs in and allows the access there; Kith redirects back with a
//    code; the app exchanges it with the verifier and reads /fhir with the token.
// 2. An OpenID Connect provider in this test (discovery, JWKS, a sign-in page, a token endpoint,
//    id_tokens signed with jose) that Kith trusts: the user signs in at the provider in the browser,
//    the app gets the provider's token, and Kith accepts it on /fhir as the matching Kith user.
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserKith, findChromium, startBrowserKith } from '../helpers/browser';
import { fhirClient } from '../helpers/http';
import { escapeHtml as escape, html, serve } from '../helpers/oidc-provider';
import { createClient, createUser } from '../../src/privacy/auth';

const chromiumPath = findChromium();
const PASSWORD = 'app-sign-in-password';

describe.skipIf(!chromiumPath)('apps sign users in through Kith and through a trusted OIDC provider', () => {
  let world: BrowserKith;
  let app: Awaited<ReturnType<typeof serve>>;
  let idp: Awaited<ReturnType<typeof serve>>;
  let idpKey: CryptoKey;
  let issuer = '';
  /** Authorization codes the provider issued: code → subject. */
  const idpCodes = new Map<string, string>();

  beforeAll(async () => {
    // The OpenID Connect provider: up first, so that Kith can be told to trust its issuer.
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    idpKey = privateKey;
    const jwk = { ...(await exportJWK(publicKey)), kid: 'county-idp-1', alg: 'RS256', use: 'sig' };
    idp = await serve(async (req, url, body) => {
      const json = (o: unknown) => ({ type: 'application/json', body: JSON.stringify(o) });
      if (url.pathname === '/.well-known/openid-configuration')
        return json({
          issuer,
          jwks_uri: `${issuer}/jwks`,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          id_token_signing_alg_values_supported: ['RS256'],
        });
      if (url.pathname === '/jwks') return json({ keys: [jwk] });
      if (url.pathname === '/authorize' && req.method === 'GET')
        return {
          body: html(
            'County sign-in',
            `<h1>County identity provider</h1><form method="post" action="/authorize">
             <input type="hidden" name="redirect_uri" value="${escape(url.searchParams.get('redirect_uri') ?? '')}">
             <input type="hidden" name="state" value="${escape(url.searchParams.get('state') ?? '')}">
             <label>County account <input name="account"></label><button type="submit">Continue</button></form>`,
          ),
        };
      if (url.pathname === '/authorize' && req.method === 'POST') {
        const form = new URLSearchParams(body);
        const code = randomBytes(16).toString('hex');
        idpCodes.set(code, form.get('account') ?? '');
        const back = new URL(form.get('redirect_uri')!);
        back.searchParams.set('code', code);
        back.searchParams.set('state', form.get('state') ?? '');
        return { body: '', location: back.toString() };
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        const subject = idpCodes.get(new URLSearchParams(body).get('code') ?? '');
        if (!subject) return { status: 400, ...json({ error: 'invalid_grant' }) };
        const idToken = await new SignJWT({ email: `${subject}@county.example.org`, email_verified: true })
          .setProtectedHeader({ alg: 'RS256', kid: 'county-idp-1' })
          .setIssuer(issuer)
          .setAudience('kith')
          .setSubject(`idp|${subject}`)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(idpKey);
        return json({ id_token: idToken, access_token: idToken, token_type: 'Bearer', expires_in: 300 });
      }
      return { status: 404, body: 'not found' };
    });
    issuer = idp.origin;

    world = await startBrowserKith(chromiumPath!, {
      auth: {
        oidc: {
          issuer,
          audience: 'kith',
          algorithms: ['RS256'],
          match: [{ claim: 'sub', field: 'external_subject' }],
        },
      },
    });
    const kithBase = world.base;

    // The app: pages in the browser, and a back end that exchanges the code and calls Kith.
    let appOrigin = '';
    const pending = new Map<string, string>(); // state → PKCE verifier (kept by the app's back end)
    app = await serve(async (_req, url) => {
      if (url.pathname === '/launch') {
        const verifier = randomBytes(32).toString('base64url');
        const state = randomBytes(8).toString('hex');
        pending.set(state, verifier);
        const authorize = new URL('/oauth2/authorize', kithBase);
        for (const [k, v] of Object.entries({
          response_type: 'code',
          client_id: 'care-app',
          redirect_uri: `${appOrigin}/callback`,
          scope: 'openid fhirUser user/Patient.rs user/Observation.rs',
          state,
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
        }))
          authorize.searchParams.set(k, v);
        return { body: '', location: authorize.toString() };
      }
      if (url.pathname === '/callback') {
        const state = url.searchParams.get('state') ?? '';
        const verifier = pending.get(state);
        if (!verifier) return { status: 400, body: html('Error', '<p>Unknown state</p>') };
        pending.delete(state);
        const tokenRes = await fetch(`${kithBase}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: url.searchParams.get('code') ?? '',
            redirect_uri: `${appOrigin}/callback`,
            client_id: 'care-app',
            code_verifier: verifier,
          }),
        });
        const token = (await tokenRes.json()) as Record<string, string>;
        const patient = await fetch(`${kithBase}/fhir/Patient/p1`, {
          headers: { authorization: `Bearer ${token.access_token}`, accept: 'application/fhir+json' },
        });
        const p = (await patient.json()) as any;
        return {
          body: html(
            'Care app',
            `<h1>Care app</h1><p id="scope">Granted: ${escape(token.scope ?? token.error ?? '')}</p>
             <p id="patient">Patient: ${escape(p.name?.[0]?.family ?? `HTTP ${patient.status}`)}</p>`,
          ),
        };
      }
      if (url.pathname === '/oidc-launch') {
        const state = randomBytes(8).toString('hex');
        pending.set(state, 'oidc');
        const authorize = new URL(`${issuer}/authorize`);
        authorize.searchParams.set('redirect_uri', `${appOrigin}/oidc-callback`);
        authorize.searchParams.set('state', state);
        return { body: '', location: authorize.toString() };
      }
      if (url.pathname === '/oidc-callback') {
        const state = url.searchParams.get('state') ?? '';
        if (pending.get(state) !== 'oidc')
          return { status: 400, body: html('Error', '<p>Unknown state</p>') };
        pending.delete(state);
        const tokenRes = await fetch(`${issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: url.searchParams.get('code') ?? '',
          }),
        });
        const { id_token } = (await tokenRes.json()) as { id_token: string };
        const me = (await (
          await fetch(`${kithBase}/auth/me`, { headers: { authorization: `Bearer ${id_token}` } })
        ).json()) as any;
        const patient = await fetch(`${kithBase}/fhir/Patient/p1`, {
          headers: { authorization: `Bearer ${id_token}`, accept: 'application/fhir+json' },
        });
        const p = (await patient.json()) as any;
        return {
          body: html(
            'Care app',
            `<h1>Care app</h1><p id="who">Kith user: ${escape(me.displayName ?? me.issue?.[0]?.diagnostics ?? '')}</p>
             <p id="patient">Patient: ${escape(p.name?.[0]?.family ?? `HTTP ${patient.status}`)}</p>`,
          ),
        };
      }
      return { status: 404, body: 'not found' };
    });
    appOrigin = app.origin;

    const db = world.kith.kith.db;
    await createClient(db, {
      clientId: 'care-app',
      name: 'Community Care App',
      redirectUris: [`${appOrigin}/callback`],
      grantTypes: ['authorization_code'],
      scope: 'openid fhirUser user/*.rs',
    });
    await createUser(db, {
      username: 'clinic.doc',
      password: PASSWORD,
      displayName: 'Emily Chen',
      organization: { id: 'clinic', kind: 'provider', hipaaCoveredEntity: true, part2Program: false },
      practitionerRole: 'PractitionerRole/role-clinic-doc',
      accessLevel: 'edit',
      purposeOfUse: 'TREAT',
    });
    await createUser(db, {
      username: 'county.nurse',
      displayName: 'Megan Foster',
      externalSubject: 'idp|megan',
      organization: { id: 'county', kind: 'county-agency', hipaaCoveredEntity: true, part2Program: false },
      accessLevel: 'view-only',
      purposeOfUse: 'TREAT',
    });
    const system = fhirClient(world.kith.app);
    await system.put('Patient/p1', { resourceType: 'Patient', id: 'p1', name: [{ family: 'Appreader' }] });
  }, 180_000);

  afterAll(async () => {
    await world?.close();
    await app?.close();
    await idp?.close();
  });

  it('authorization_code + PKCE: the app sends the user to Kith, the user signs in and allows, the app reads /fhir', async () => {
    const { page } = world;
    await page.goto(`${app.origin}/launch`);
    await page.getByRole('heading', { name: 'Sign in to Kith' }).waitFor();
    expect(await page.locator('body').innerText()).toContain('Community Care App asks to:');
    expect(page.url()).toContain('/oauth2/authorize?');
    await page.getByLabel('Username').fill('clinic.doc');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Purpose of use').selectOption('CAREMGT');
    await page.getByRole('button', { name: 'Sign in and allow' }).click();
    await page.getByRole('heading', { name: 'Care app' }).waitFor();
    expect(page.url().startsWith(`${app.origin}/callback?code=`)).toBe(true);
    expect(await page.locator('#scope').innerText()).toBe(
      'Granted: openid fhirUser user/Patient.rs user/Observation.rs',
    );
    expect(await page.locator('#patient').innerText()).toBe('Patient: Appreader');
    // The sign-in at Kith is audited with the app and the purpose chosen there.
    const { rows } = await world.kith.kith.db.query(
      `select event from audit_events where action = 'login' order by seq desc limit 1`,
    );
    const e = JSON.parse(rows[0].event);
    expect(e.purposeOfEvent[0].coding[0].code).toBe('CAREMGT');
  });

  it('an OpenID Connect provider Kith trusts: the user signs in there, and its token works on Kith /fhir', async () => {
    const { page } = world;
    await page.goto(`${app.origin}/oidc-launch`);
    await page.getByRole('heading', { name: 'County identity provider' }).waitFor();
    await page.getByLabel('County account').fill('megan');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Care app' }).waitFor();
    expect(await page.locator('#who').innerText()).toBe('Kith user: Megan Foster');
    expect(await page.locator('#patient').innerText()).toBe('Patient: Appreader');
    // Someone the provider knows but Kith does not: refused.
    await page.goto(`${app.origin}/oidc-launch`);
    await page.getByLabel('County account').fill('stranger');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Care app' }).waitFor();
    expect(await page.locator('#patient').innerText()).toBe('Patient: HTTP 401');
  });
});
