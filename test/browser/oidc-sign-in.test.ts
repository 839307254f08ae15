// Kith's own web app signs users in through a trusted OpenID Connect provider, in Chromium: the
// sign-in page offers "Sign in with <provider>", Kith runs the authorization code flow with PKCE
// (discovery, JWKS, state and nonce checked) against a provider in this test, maps the ID token's
// claims to a Kith user as the API does, and the app gets its normal session (refresh cookie).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserKith, findChromium, startBrowserKith } from '../helpers/browser';
import { fhirClient } from '../helpers/http';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider';
import { createUser } from '../../src/privacy/auth';

const chromiumPath = findChromium();
const CLIENT = { clientId: 'kith-web', clientSecret: 'kith-web-secret' };

describe.skipIf(!chromiumPath)('web app sign-in through an OpenID Connect provider', () => {
  let world: BrowserKith;
  let idp: TestOidcProvider;

  beforeAll(async () => {
    idp = await startOidcProvider(CLIENT);
    world = await startBrowserKith(chromiumPath!, {
      auth: {
        oidc: {
          issuer: idp.issuer,
          audience: CLIENT.clientId,
          algorithms: ['RS256'],
          match: [
            { claim: 'sub', field: 'external_subject' },
            { claim: 'email', field: 'email' },
          ],
          ...CLIENT,
          displayName: 'County ID',
        },
      },
    });
    await createUser(world.kith.kith.db, {
      username: 'county.nurse',
      displayName: 'Megan Foster',
      externalSubject: 'idp|megan',
      organization: { id: 'county', kind: 'county-agency', hipaaCoveredEntity: true, part2Program: false },
      accessLevel: 'edit',
      purposeOfUse: 'TREAT',
    });
    const system = fhirClient(world.kith.app);
    await system.put('Organization/county', {
      resourceType: 'Organization',
      id: 'county',
      name: 'County HHSA',
    });
    await system.put('Patient/p1', {
      resourceType: 'Patient',
      id: 'p1',
      name: [{ family: 'Oidcreader', given: ['Ida'] }],
    });
  }, 180_000);

  afterAll(async () => {
    await world?.close();
    await idp?.close();
  });

  const lastAuthEvent = async (action: string) => {
    const { rows } = await world.kith.kith.db.query(
      `select event from audit_events where action = $1 order by seq desc limit 1`,
      [action],
    );
    return rows[0] ? JSON.parse(rows[0].event) : undefined;
  };
  const details = (e: any): Record<string, string> =>
    Object.fromEntries(
      (e.entity ?? []).flatMap((x: any) => (x.detail ?? []).map((d: any) => [d.type, d.valueString])),
    );

  it('offers the provider, signs in there with PKCE, state and nonce, and comes back signed in where the user was', async () => {
    const { page, base } = world;
    await page.goto(`${base}/Patient/p1`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByLabel('Purpose of use').selectOption('CAREMGT');
    await page.getByRole('button', { name: 'Sign in with County ID' }).click();
    await page.getByRole('heading', { name: 'County identity provider' }).waitFor();
    const asked = idp.requests.at(-1)!;
    expect(asked.get('redirect_uri')).toBe(`${base}/auth/oidc/callback`);
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('scope')).toBe('openid profile email');
    expect(asked.get('state')?.length).toBeGreaterThanOrEqual(32);
    expect(asked.get('nonce')?.length).toBeGreaterThanOrEqual(32);
    await page.getByLabel('County account').fill('megan');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ida Oidcreader' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/Patient/p1');
    const slot = page.getByLabel('Signed-in user');
    expect(await slot.innerText()).toContain('Megan Foster');
    expect(await slot.innerText()).toContain('County HHSA');
    expect(idp.refusals).toEqual([]);
    // The sign-in is audited as one through the provider, with the purpose chosen on Kith's page.
    const e = await lastAuthEvent('login');
    expect(e.purposeOfEvent[0].coding[0].code).toBe('CAREMGT');
    expect(details(e)['grant-type']).toBe('oidc');
    // The session is Kith's own: a reload resumes it from the refresh cookie.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Ida Oidcreader' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  });

  it('someone the provider knows but Kith does not is refused on the sign-in page, and it is audited', async () => {
    const { page, base } = world;
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Sign in with County ID' }).click();
    await page.getByLabel('County account').fill('stranger');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'has no Kith account' }).waitFor();
    expect(page.url()).not.toContain('sign_in_error'); // read, then taken out of the address
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    const e = await lastAuthEvent('login-failed');
    expect(details(e)).toMatchObject({ reason: 'unknown-user', 'grant-type': 'oidc' });
  });

  it('an ID token answering another sign-in (nonce) is refused', async () => {
    const { page, base } = world;
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Sign in with County ID' }).click();
    await page.getByLabel('County account').fill('nonce-mismatch');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'nonce' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
  });

  it('a callback this browser did not start (forged or lost state) is refused before the code is used', async () => {
    const { page, base } = world;
    const before = idp.refusals.length;
    await page.goto(`${base}/auth/oidc/callback?code=stolen&state=forged`);
    await page.getByRole('alert').filter({ hasText: 'start it again' }).waitFor();
    // A started sign-in whose state is swapped: refused too.
    await page.getByRole('button', { name: 'Sign in with County ID' }).click();
    await page.getByRole('heading', { name: 'County identity provider' }).waitFor();
    await page.goto(`${base}/auth/oidc/callback?code=stolen&state=${'x'.repeat(43)}`);
    await page.getByRole('alert').filter({ hasText: 'does not belong to this browser' }).waitFor();
    expect(idp.refusals.length).toBe(before); // the token endpoint was never called
  });
});
