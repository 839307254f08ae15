import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, findChromium, SCREENSHOT_DIR, signIn, startBrowserKith } from '../helpers/browser';
import { FHIR_HEADERS, TEST_ADMIN, type TestKith } from '../helpers/kith';
import { PEOPLE, SSN } from './people';

const chromiumPath = findChromium();

describe.skipIf(!chromiumPath)('web app: person search and person page in Chromium', () => {
  let kith: TestKith;
  let browser: Browser;
  let base: string;
  let page: Page;

  beforeAll(async () => {
    ({ kith, browser, base, page } = await startBrowserKith(chromiumPath!));
    const res = await fetch(`${base}/fhir`, {
      method: 'POST',
      headers: { ...FHIR_HEADERS, ...kith.authHeaders },
      body: JSON.stringify(PEOPLE),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    await signIn(page, base, TEST_ADMIN.username, TEST_ADMIN.password);
  });

  afterAll(async () => {
    await browser?.close();
    await kith?.close();
  });

  const text = (selector: string): Promise<string> => page.locator(selector).innerText();
  const activeElement = (): Promise<string> =>
    page.evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}: ${el.textContent?.trim()}` : '';
    });

  it('finds a person by name and shows their records grouped, with readable summaries', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Name', { exact: true }).fill('lopez');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'people found' }).waitFor();
    expect(await text('.results-status')).toContain('2 people found');
    expect(new URL(page.url()).search).toBe('?name=lopez');

    const row = page.getByRole('row', { name: /Maria Elena Lopez/ });
    const cells = await row.innerText();
    expect(cells).toContain('Mar 12, 1984');
    expect(cells).toContain('Female');
    expect(cells).toContain('MRN-40021');
    expect(cells).toContain('clinic-mrn'); // the identifier's source system
    expect(cells).toContain('•••-••-6789');
    expect(cells).toContain('12 Oak St, Alder, CA 95501');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-person-search.png'), fullPage: true });

    await page.getByRole('link', { name: 'Maria Elena Lopez' }).click();
    await page.getByRole('heading', { level: 1, name: 'Maria Elena Lopez' }).waitFor();
    expect(page.url()).toMatch(/\/Patient\/[\w-]+$/);
    await expect.poll(activeElement).toMatch(/^h1: Maria Elena Lopez/);
    await page.getByRole('region', { name: /Program enrollments/ }).waitFor();
    const searchLink = page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Person search' });
    expect(await searchLink.getAttribute('aria-current')).toBe('true');

    const header = await text('.person-header');
    expect(header).toContain('Born Mar 12, 1984');
    expect(header).toContain('MRN-40021');
    expect(header).toContain('https://kith.example.org/source/clinic-ehr');
    expect(await page.content()).not.toContain(SSN);

    const group = (name: string): Promise<string> =>
      page.getByRole('region', { name: new RegExp(`^${name}`) }).innerText();
    const encounters = await group('Encounters');
    expect(encounters).toMatch(/Encounters\s+2/);
    expect(encounters).toContain('Follow-up visit');
    expect(encounters).toContain('Ambulatory');
    expect(encounters).toContain('Jan 2, 2024, 10:00–11:00');
    expect(encounters).toContain('Westside Family Clinic'); // named by a second request: no display on the reference
    expect(encounters).toContain('Emergency encounter');
    // Newest first.
    expect(encounters.indexOf('Follow-up visit')).toBeLessThan(encounters.indexOf('Emergency encounter'));

    const conditions = await group('Conditions');
    expect(conditions).toContain('Hypertension');
    expect(conditions).toContain('Active');
    expect(conditions).toContain('Jun 1, 2019');

    const observations = await group('Observations');
    expect(observations).toContain('Body height');
    expect(observations).toContain('165 cm');
    expect(observations).toContain('Blood pressure panel');
    expect(observations).toContain('128/82 mmHg');

    const enrollments = await group('Program enrollments');
    expect(enrollments).toContain('Enhanced Care Management');
    expect(enrollments).toContain('since Feb 1, 2024');
    expect(enrollments).toContain('Alder County Behavioral Health');

    const mainText = await text('main');
    expect(mainText).not.toContain('"resourceType"');
    expect(mainText).not.toContain('urn:uuid');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-person-page.png'), fullPage: true });

    // Back to the same results.
    await page.getByRole('link', { name: '← Person search' }).click();
    await page.getByRole('row', { name: /Marco Lopez/ }).waitFor();
    expect(new URL(page.url()).search).toBe('?name=lopez');
  });

  it('pages through results and keeps the page in the URL', async () => {
    await page.goto(`${base}/?name=nguyen`);
    await page.getByRole('status').filter({ hasText: 'people found' }).waitFor();
    expect(await text('.results-status')).toBe('22 people found. Showing 1–20.');
    expect(await page.locator('tbody tr').count()).toBe(20);
    expect(await page.getByRole('button', { name: 'Previous page' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('status').filter({ hasText: 'Showing 21–22' }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(2);
    expect(new URL(page.url()).searchParams.get('offset')).toBe('20');
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await expect.poll(activeElement).toMatch(/^h2#results-heading/);

    await page.goBack();
    await page.getByRole('status').filter({ hasText: 'Showing 1–20' }).waitFor();
  });

  it('searches by birth date and identifier, and checks the birth date first', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Birth date').fill('3/12/1984');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'person found' }).waitFor();
    expect(new URL(page.url()).searchParams.get('birthdate')).toBe('1984-03-12');
    await page.getByRole('row', { name: /Maria Elena Lopez/ }).waitFor();

    await page.goto(`${base}/?identifier=MRN-40021`);
    await page.getByRole('row', { name: /Maria Elena Lopez/ }).waitFor();

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Birth date').fill('31/31/1984');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    expect(await page.getByLabel('Birth date').getAttribute('aria-invalid')).toBe('true');
    expect(await text('#search-birthdate-error')).toContain('There is no month 31');
    await expect.poll(activeElement).toMatch(/^input#search-birthdate/);
  });

  it("shows the server's OperationOutcome when a person cannot be read", async () => {
    await page.goto(`${base}/Patient/no-such-person`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/Not found[\s\S]*Error: Patient\/no-such-person is not known/);
  });

  it('has a skip link, labelled navigation and honest placeholders for capabilities to come', async () => {
    await page.goto(`${base}/`);
    // The app appears once the session is resumed from the refresh cookie.
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await activeElement()).toBe('a: Skip to main content');
    await page.keyboard.press('Enter');
    expect(await activeElement()).toMatch(/^main#main/);

    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of [
      'Person search',
      'Persons / 360 view',
      'Enrollment',
      'Assessments',
      'Care plans & teams',
      'Referrals',
      'Directory',
      'Consent',
      'Alerts / Inbox',
      'Reports',
      'Data sources',
      'Identity review',
    ]) {
      expect(
        await nav.getByRole('link', { name: new RegExp(`^${name.replace(/[/&]/g, '\\$&')}`) }).count(),
        name,
      ).toBe(1);
    }
    expect(await nav.getByRole('link', { name: 'Person search' }).getAttribute('aria-current')).toBe('page');

    await nav.getByRole('link', { name: /^Reports/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    expect(await text('main')).toContain('Coming with analytics');
    expect(await nav.getByRole('link', { name: /^Reports/ }).getAttribute('aria-current')).toBe('page');
    await expect.poll(activeElement).toBe('h1: Reports');
    expect(await page.title()).toBe('Reports · Kith');

    // A reload of an app URL is answered with the app (the server's fallback), not a 404.
    await page.goto(`${base}/steward/identity-review`);
    await page.getByRole('heading', { level: 1, name: 'Identity review' }).waitFor();
    await page.goto(`${base}/no/such/page`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  });
});
