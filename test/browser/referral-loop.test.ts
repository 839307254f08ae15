import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importHsdsPath } from '../../src/referrals';
import { type Browser, findChromium, SCREENSHOT_DIR, signIn, startBrowserKith } from '../helpers/browser';
import { FHIR_HEADERS, TEST_ADMIN, type TestKith } from '../helpers/kith';
import {
  COUNTY_AND_PERSON,
  COUNTY_NAME,
  FOOD_BANK_NAME,
  HSDS_DIRECTORY,
  MEALS_NAME,
  PANTRY_HSDS_ID,
  PANTRY_NAME,
  PERSON_NAME,
  RENT_NAME,
} from './directory-data';

const chromiumPath = findChromium();
const ACCEPTS = 'https://kith.example.org/fhir/StructureDefinition/accepts-electronic-referrals';

describe.skipIf(!chromiumPath)('web app: the closed referral loop in Chromium', () => {
  let kith: TestKith;
  let browser: Browser;
  let base: string;
  let page: Page;
  let personId: string;
  let hsdsDir: string;
  let concernId: string;
  let findingId: string;

  const api = async (method: string, url: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { ...FHIR_HEADERS, ...kith.authHeaders },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    expect(res.status, `${method} ${url}: ${text}`).toBeLessThan(300);
    return text ? JSON.parse(text) : undefined;
  };

  beforeAll(async () => {
    ({ kith, browser, base, page } = await startBrowserKith(chromiumPath!));

    // The directory arrives as an HSDS file, imported as `kith import hsds` does.
    hsdsDir = mkdtempSync(path.join(os.tmpdir(), 'kith-hsds-'));
    writeFileSync(path.join(hsdsDir, 'alder.json'), JSON.stringify(HSDS_DIRECTORY));
    const summary = await importHsdsPath(kith.kith.store, hsdsDir);
    expect(summary.failed, JSON.stringify(summary)).toBe(0);

    // The food bank works on Kith: its pantry receives electronic referrals (a Kith-managed flag).
    const found = await api(
      'GET',
      `/fhir/HealthcareService?identifier=${encodeURIComponent(`https://kith.example.org/hsds/service|${PANTRY_HSDS_ID}`)}`,
    );
    const pantry = found.entry[0].resource;
    await api('PUT', `/fhir/HealthcareService/${pantry.id}`, {
      ...pantry,
      extension: [...(pantry.extension ?? []), { url: ACCEPTS, valueBoolean: true }],
    });

    const created = await api('POST', '/fhir', COUNTY_AND_PERSON);
    personId = /Patient\/([^/]+)/.exec(created.entry[1].response.location)![1];
    // The person's assessed need, recorded as a health concern the referral can name.
    concernId = (
      await api('POST', '/fhir/Condition', {
        resourceType: 'Condition',
        subject: { reference: `Patient/${personId}` },
        clinicalStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
        },
        category: [
          {
            coding: [
              { system: 'http://hl7.org/fhir/us/core/CodeSystem/condition-category', code: 'health-concern' },
            ],
          },
        ],
        code: {
          coding: [{ system: 'http://snomed.info/sct', code: '733423003' }],
          text: 'Food insecurity (HVS)',
        },
      })
    ).id;
    findingId = (
      await api('POST', '/fhir/Observation', {
        resourceType: 'Observation',
        status: 'final',
        subject: { reference: `Patient/${personId}` },
        category: [
          { coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-category', code: 'sdoh' }] },
        ],
        code: { coding: [{ system: 'http://loinc.org', code: '88124-3' }], text: 'Food insecurity risk' },
        valueCodeableConcept: { text: 'At risk' },
      })
    ).id;
    // An administrator, who may act for either organization ("Working for").
    await signIn(page, base, TEST_ADMIN.username, TEST_ADMIN.password);
  });

  afterAll(async () => {
    await page
      ?.screenshot({ path: path.join(SCREENSHOT_DIR, 'debug-last.png'), fullPage: true })
      .catch(() => undefined);
    await browser?.close();
    await kith?.close();
    if (hsdsDir) rmSync(hsdsDir, { recursive: true, force: true });
  });

  const text = (selector: string): Promise<string> => page.locator(selector).innerText();
  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: true });
  const workFor = async (name: string) => {
    await page.getByLabel('Working for').first().selectOption({ label: name });
  };
  const status = () => page.getByTestId('referral-status');

  it('finds a food bank near an address, sends a referral, and follows it to closure on both sides', async () => {
    // A county worker starts from the person's page.
    await page.goto(`${base}/Patient/${personId}`);
    await page.getByRole('heading', { level: 1, name: PERSON_NAME }).waitFor();
    await page.getByRole('link', { name: 'Send a referral' }).click();
    await page.getByRole('heading', { level: 1, name: 'Send a referral' }).waitFor();
    expect(await text('main')).toContain(PERSON_NAME);
    await page.getByRole('link', { name: 'Find a service in the directory' }).click();

    // Directory: food near the person's ZIP code, within 10 miles.
    await page.getByRole('heading', { level: 1, name: 'Provider directory' }).waitFor();
    expect(await page.getByLabel('Accepting electronic referrals').isChecked()).toBe(true);
    await page.getByLabel('Accepting electronic referrals').uncheck();
    await page.getByLabel('Need or service').fill('food');
    await page.getByLabel('Near').fill('95501');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'services found' }).waitFor();
    const results = await text('.results');
    expect(results).toContain('2 services found');
    expect(results).toContain('near ZIP code 95501');
    // a ZIP code alone is located at ZIP code precision, and the page says so
    expect(await page.locator('.geocode-precision').getAttribute('data-precision')).toBe('zip');
    expect(await text('.geocode-precision')).toContain('Located by ZIP code only');
    expect(results).toContain(PANTRY_NAME);
    expect(results).toContain(MEALS_NAME);
    expect(results).not.toContain(RENT_NAME); // mentions food, but 35 miles away
    expect(results.indexOf(PANTRY_NAME)).toBeLessThan(results.indexOf(MEALS_NAME)); // nearest first
    const pantryItem = page.getByRole('listitem').filter({ hasText: PANTRY_NAME });
    expect(await pantryItem.innerText()).toMatch(
      /Accepts electronic referrals[\s\S]*Alder Community Food Bank/,
    );
    expect(await pantryItem.innerText()).toMatch(/300 Harbor Way, Alder, CA 95501 · \d\.\d mi away/);
    expect(await pantryItem.innerText()).toContain('Mon, Tue, Wed, Thu, Fri, Sat, Sun 00:00–23:59');
    expect(await page.getByRole('listitem').filter({ hasText: MEALS_NAME }).innerText()).toContain(
      'No electronic referrals: contact directly',
    );

    // The map view draws the same results on their coordinates, with a scale.
    await page.getByRole('button', { name: 'Map' }).click();
    const map = page.getByRole('img', { name: 'Map of the services found' });
    await map.waitFor();
    expect(await map.locator('circle.map-pin').count()).toBe(2);
    expect(await map.locator('circle.map-pin.accepts').count()).toBe(1);
    expect(await map.locator('.map-scale text').textContent()).toMatch(/^\d+(\.\d+)? mi$/);
    expect(new URL(page.url()).searchParams.get('view')).toBe('map');
    await shot('web-directory-map.png');
    await page.getByRole('button', { name: 'List' }).click();

    // Open now and language narrow it to the pantry (the meal runs one minute a week, on Sundays);
    // the street address the worker types is located at address precision from the directory itself.
    await page.getByLabel('Open now').check();
    await page.getByLabel('Language').fill('es');
    await page.getByLabel('Near').fill('300 harbor way, Alder, CA 95501');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '1 service found' }).waitFor();
    expect(await text('.results-status')).toContain('near 300 HARBOR WAY, ALDER, CA 95501');
    expect(await page.locator('.geocode-precision').getAttribute('data-precision')).toBe('address');
    expect(await text('.geocode-precision')).toContain('Located by street address');
    await shot('web-directory-list.png');
    await page.getByRole('link', { name: `Send referral to ${PANTRY_NAME}` }).click();

    // The referral form keeps the person and the service; the sender says who they work for.
    await page.getByRole('heading', { level: 1, name: 'Send a referral' }).waitFor();
    // (the service is read after the page shows: wait for it rather than read the page once)
    await page.getByText(`${PANTRY_NAME} · ${FOOD_BANK_NAME}`).first().waitFor();
    expect(await text('main')).toContain(PERSON_NAME);
    await page.getByRole('button', { name: 'Send referral' }).click();
    expect(await page.getByRole('alert').innerText()).toContain('your organization (Working for)');
    await workFor(COUNTY_NAME);
    await page.getByLabel('Need (SDOH category)').selectOption({ label: 'Food insecurity' });
    await page.getByLabel('Reason').fill('Ran out of food twice this month (Hunger Vital Sign positive).');
    await page.getByRole('checkbox', { name: 'Food insecurity (HVS)' }).check();
    await page.getByRole('checkbox', { name: 'Food insecurity risk: At risk' }).check();
    await page.getByLabel('The person agreed to share this referral').check();
    await page.getByRole('button', { name: 'Send referral' }).click();

    await page.getByRole('heading', { level: 1, name: 'Referral' }).waitFor();
    await status().filter({ hasText: 'Requested' }).waitFor();
    const taskId = /\/referrals\/Task\/([^/?]+)/.exec(page.url())![1];
    const summary = await text('.referral-summary');
    expect(summary).toContain('Food insecurity');
    expect(summary).toContain(PANTRY_NAME);
    expect(summary).toMatch(/From\s+Alder County Social Services/);
    expect(summary).toMatch(/To\s+Alder Community Food Bank/);
    expect(summary).toMatch(/Consent\s+Recorded/);
    expect(summary).toContain('Food insecurity (HVS)');
    // The sender may cancel, but only the receiver may accept.
    const actions = page.getByRole('group', { name: 'Change the status' });
    expect(await actions.getByRole('button', { name: 'Cancel referral' }).count()).toBe(1);
    expect(await actions.getByRole('button', { name: 'Accept' }).count()).toBe(0);

    // What the server stored follows the Gravity shape.
    const task = await api('GET', `/fhir/Task/${taskId}`);
    expect(task).toMatchObject({
      status: 'requested',
      intent: 'order',
      for: { reference: `Patient/${personId}` },
    });
    expect(task.code.coding[0].code).toBe('fulfill');
    const sr = await api('GET', `/fhir/${task.focus.reference}`);
    expect(sr.category[0].coding[0].code).toBe('food-insecurity');
    expect(sr.supportingInfo[0].reference).toMatch(/^Consent\//);
    expect(sr.reasonReference).toEqual([
      { reference: `Condition/${concernId}`, display: 'Food insecurity (HVS)' },
      { reference: `Observation/${findingId}`, display: 'Food insecurity risk: At risk' },
    ]);

    // The food bank (switching on the worklist: an open referral counts as read): its inbox has the
    // new referral and the banner counts one unread update.
    await page.getByRole('link', { name: '← Referrals' }).click();
    await workFor(FOOD_BANK_NAME);
    // The banner's counter opens the inbox (Alerts / Inbox), where the message is.
    await page.getByRole('link', { name: /1 unread referral update for Alder Community Food Bank/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Alerts and messages' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/inbox');
    await page.getByRole('listitem').filter({ hasText: 'New referral received' }).waitFor();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Referrals', exact: true })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Referrals' }).waitFor();
    await page.getByRole('status').filter({ hasText: '1 referral' }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(PERSON_NAME) });
    expect(await row.innerText()).toMatch(
      /Food insecurity[\s\S]*Emergency Food Pantry[\s\S]*Alder County Social Services[\s\S]*Requested/,
    );
    await row.getByRole('link', { name: PERSON_NAME }).click();
    await status().filter({ hasText: 'Requested' }).waitFor();
    // Opening it reads the message.
    await page.getByRole('link', { name: /0 unread referral updates/ }).waitFor();

    // A second tab accepts first; the stale first tab then tries to reject: the server refuses and says why.
    const other = await browser.context.newPage();
    await other.goto(`${base}/referrals/Task/${taskId}`);
    await other.getByRole('button', { name: 'Accept' }).click();
    await other.getByRole('button', { name: 'Confirm: Accept' }).click();
    await other.getByTestId('referral-status').filter({ hasText: 'Accepted' }).waitFor();
    await other.close();
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('button', { name: 'Confirm: Reject' }).click();
    expect(await page.getByRole('alert').innerText()).toContain('Give the reason for rejecting');
    await page.getByLabel('Reason').fill('Outside our service area');
    await page.getByRole('button', { name: 'Confirm: Reject' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'The server could not accept this request' });
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(
      /A referral cannot go from accepted to rejected; from accepted (the receiving organization|system) may set: in-progress, on-hold, failed, completed, cancelled/,
    );

    // Reload: accepted; work on it and complete it with an outcome.
    await page.reload();
    await status().filter({ hasText: 'Accepted' }).waitFor();
    await page.getByRole('button', { name: 'Start work' }).click();
    await page.getByRole('button', { name: 'Confirm: Start work' }).click();
    await status().filter({ hasText: 'In progress' }).waitFor();
    await page.getByRole('button', { name: 'Complete' }).click();
    await page
      .getByLabel('Outcome (what was done)')
      .fill('Emergency food box given; enrolled in weekly pantry');
    await page.getByRole('button', { name: 'Confirm: Complete' }).click();
    await status().filter({ hasText: 'Completed' }).waitFor();
    expect(await page.getByTestId('referral-outcome').innerText()).toBe(
      'Emergency food box given; enrolled in weekly pantry',
    );
    expect(await text('main')).toContain('This referral is closed');

    // The sender: notified (unread updates), sees it closed with its outcome and history.
    await page.getByRole('link', { name: '← Referrals' }).click();
    await workFor(COUNTY_NAME);
    await page
      .getByRole('link', { name: /3 unread referral updates for Alder County Social Services/ })
      .waitFor();
    await page.goto(`${base}/referrals?box=sent&status=completed`);
    const sent = page.getByRole('row', { name: new RegExp(PERSON_NAME) });
    await sent.waitFor();
    expect(await sent.innerText()).toMatch(/Alder Community Food Bank[\s\S]*Completed[\s\S]*Got help/);
    await sent.getByRole('link', { name: PERSON_NAME }).click();
    await status().filter({ hasText: 'Completed' }).waitFor();
    expect(await text('.referral-summary')).toMatch(/Outcome\s+Emergency food box given/);
    const history = await page.getByRole('region', { name: 'History' }).innerText();
    expect(history).toMatch(/Requested[\s\S]*Accepted[\s\S]*In progress[\s\S]*Completed\s+Got help/);
    await page.getByRole('link', { name: /0 unread referral updates/ }).waitFor();
    await shot('web-referral-closed.png');

    // The dashboard counts it: one referral, completed, closed with an outcome.
    await page.goto(`${base}/referrals/dashboard`);
    const overall = page.getByRole('region', { name: 'Overall' });
    await overall.waitFor();
    expect(await overall.innerText()).toMatch(/1\s+Referrals/);
    expect(await overall.innerText()).toMatch(/100%\s+Closed with an outcome\s+1 of 1 closed/);
    expect(await overall.innerText()).toMatch(/(min|h)\s+Median time to completion/);
    const byOrg = page.getByRole('region', { name: 'By receiving organization' });
    expect(await byOrg.getByRole('row', { name: new RegExp(FOOD_BANK_NAME) }).innerText()).toMatch(
      /1\s+0\s+1/,
    );
    const byNeed = page.getByRole('region', { name: 'By need (service category)' });
    expect(await byNeed.innerText()).toContain('Food insecurity');
    expect(await page.getByRole('img', { name: 'Referrals by status' }).textContent()).toContain('Completed');
    await shot('web-referrals-dashboard.png');
  });
});
