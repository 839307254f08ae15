import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, findChromium, signIn, startBrowserKith } from '../helpers/browser';
import { type TestKith } from '../helpers/kith';
import { fhirClient } from '../helpers/http';

const chromiumPath = findChromium();
const PASSWORD = 'clinic-demo-password';

describe.skipIf(!chromiumPath)('web app: sign-in and sign-out in Chromium', () => {
  let kith: TestKith;
  let browser: Browser;
  let base: string;
  let page: Page;

  beforeAll(async () => {
    ({ kith, browser, base, page } = await startBrowserKith(chromiumPath!));
    await fhirClient(kith.app).put('Organization/alder-clinic', {
      resourceType: 'Organization',
      id: 'alder-clinic',
      name: 'Alder Community Health Clinic',
    });
    await kith.addUser({
      username: 'clinic.view',
      password: PASSWORD,
      displayName: 'Ravi Patel',
      organization: { id: 'alder-clinic', kind: 'provider', hipaaCoveredEntity: true, part2Program: false },
      practitionerRole: 'PractitionerRole/role-clinic-view',
      accessLevel: 'view-only',
      purposeOfUse: 'TREAT',
    });
    await kith.addUser({
      username: 'pantry.worker',
      password: PASSWORD,
      displayName: 'Guadalupe Reyes',
      organization: { id: 'pantry', kind: 'cbo', hipaaCoveredEntity: false, part2Program: false },
      accessLevel: 'exchange',
      purposeOfUse: 'COC',
    });
  });

  afterAll(async () => {
    await browser?.close();
    await kith?.close();
  });

  it('shows the sign-in screen to a visitor and says so when the password is wrong', async () => {
    await page.goto(`${base}/?name=lopez`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await page.getByLabel('Username').fill('clinic.view');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('Unknown username or wrong password');
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await page.title()).toBe('Sign in · Kith');
  });

  it('signs in, shows who is signed in, and calls the API with the token', async () => {
    await signIn(page, base, 'clinic.view', PASSWORD);
    const user = page.getByLabel('Signed-in user');
    expect(await user.innerText()).toContain('Ravi Patel');
    await expect.poll(() => user.innerText()).toContain('Alder Community Health Clinic');
    expect(await user.innerText()).toContain('View only');
    await page.getByLabel('Name', { exact: true }).fill('nobody-by-this-name');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // An answer, not an error: the search went out with the session's token.
    await page.getByRole('status').filter({ hasText: 'No one found.' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('keeps the session across a reload, and sign-out returns to the sign-in screen for good', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    const { rows } = await kith.kith.db.query(
      `select action from audit_events where action in ('login', 'login-failed', 'logout') order by seq`,
    );
    expect(rows.map((r) => r.action)).toEqual(['login-failed', 'login', 'logout']);
  });

  it('signs in for a chosen purpose: the header shows it, the audit records it; a CBO may not pick treatment', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Username').fill('pantry.worker');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Purpose of use').selectOption({ label: 'Treatment' });
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain(
      'Staff of a community-based organization may not sign in for treatment (TREAT); choose one of: coordination of care (COC), care management (CAREMGT)',
    );
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);

    await page.getByLabel('Username').fill('clinic.view');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Purpose of use').selectOption({ label: 'Health care operations' });
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const user = page.getByLabel('Signed-in user');
    expect(await user.innerText()).toContain('For health care operations');
    await page.getByLabel('Name', { exact: true }).fill('nobody-by-this-name');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'No one found.' }).waitFor();
    // After a reload the session (renewed from the cookie) keeps the purpose.
    await page.reload();
    await expect
      .poll(() => page.getByLabel('Signed-in user').innerText())
      .toContain('For health care operations');

    await (kith.kith.store.access as any).flush();
    const { rows } = await kith.kith.db.query(
      `select action, event from audit_events where action in ('login', 'login-failed', 'search') order by seq`,
    );
    const events = rows.map((r) => ({ action: r.action as string, e: JSON.parse(r.event) }));
    const purpose = (e: any) => e.purposeOfEvent?.[0]?.coding?.[0]?.code;
    const refused = events.filter((r) => r.action === 'login-failed').at(-1)!;
    expect(refused.e.outcomeDesc).toBe('purpose-not-allowed');
    const signedIn = events.filter((r) => r.action === 'login').at(-1)!;
    expect(signedIn.e.agent[0].who.display).toBe('Ravi Patel');
    expect(purpose(signedIn.e)).toBe('HOPERAT');
    const searched = events.filter((r) => r.action === 'search').at(-1)!;
    expect(searched.e.agent[0].who.display).toBe('Ravi Patel');
    expect(purpose(searched.e)).toBe('HOPERAT');
  });
});
