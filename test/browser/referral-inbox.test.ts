import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallerOrganization } from '../../src/privacy/caller';
import { findChromium, SCREENSHOT_DIR, signIn, type Browser, startBrowserKith } from '../helpers/browser';
import { FHIR_HEADERS, type TestKith } from '../helpers/kith';

const chromiumPath = findChromium();
const COUNTY = 'Delta County Social Services';
const FOOD_BANK = 'Delta Food Bank';
const PARTNER = 'Delta Pantry Partner';
const PASSWORD = 'correct horse battery staple 42';

/**
 * Signed-in users of two organizations (not administrators): each works for their own
 * organization without choosing it, and reads its alerts and messages on the inbox page.
 */
describe.skipIf(!chromiumPath)(
  'web app: acting organization, inbox, forwarding and signed links in Chromium',
  () => {
    let kith: TestKith;
    let browser: Browser;
    let base: string;
    let page: Page;
    let taskId: string;
    const headers: Record<string, Record<string, string>> = {};

    const api = async (who: string, method: string, url: string, body?: unknown): Promise<any> => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { ...FHIR_HEADERS, ...headers[who] },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      expect(res.status, `${method} ${url}: ${text}`).toBeLessThan(300);
      return text ? JSON.parse(text) : undefined;
    };

    beforeAll(async () => {
      ({ kith, browser, base, page } = await startBrowserKith(chromiumPath!));
      headers.system = kith.authHeaders;

      // Both coordinate care as covered entities, so the referral's data is theirs to see without a
      // consent (consent is test/privacy's subject); the point here is who acts for whom.
      const orgOf = (id: string): CallerOrganization => ({
        id,
        kind: 'provider',
        hipaaCoveredEntity: true,
        part2Program: false,
      });
      for (const [who, name] of [
        ['county', COUNTY],
        ['food', FOOD_BANK],
      ]) {
        const org = await api('system', 'POST', '/fhir/Organization', { resourceType: 'Organization', name });
        const practitioner = await api('system', 'POST', '/fhir/Practitioner', {
          resourceType: 'Practitioner',
          name: [{ family: `${who} worker` }],
        });
        const role = await api('system', 'POST', '/fhir/PractitionerRole', {
          resourceType: 'PractitionerRole',
          active: true,
          practitioner: { reference: `Practitioner/${practitioner.id}` },
          organization: { reference: `Organization/${org.id}` },
        });
        const added = await kith.addUser({
          username: `${who}-worker`,
          password: PASSWORD,
          displayName: `${who} worker`,
          practitionerRole: `PractitionerRole/${role.id}`,
          organization: orgOf(org.id),
          accessLevel: 'edit',
          purposeOfUse: 'CAREMGT',
        });
        headers[who] = added.headers;
        headers[`${who}Org`] = { id: org.id };
      }
      // An organization not on Kith, that the food bank passes referrals on to.
      await api('system', 'POST', '/fhir/Organization', { resourceType: 'Organization', name: PARTNER });
      // The county worker sends a referral to the food bank (over the API: the send screen is the
      // referral loop test's subject).
      const patient = await api('county', 'POST', '/fhir/Patient', {
        resourceType: 'Patient',
        name: [{ family: 'Okafor', given: ['Ada'] }],
      });
      const sr = await api('county', 'POST', '/fhir/ServiceRequest', {
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        subject: { reference: `Patient/${patient.id}` },
        code: { text: 'Emergency food' },
      });
      const task = await api('county', 'POST', '/fhir/Task', {
        resourceType: 'Task',
        status: 'requested',
        intent: 'order',
        code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' }] },
        focus: { reference: `ServiceRequest/${sr.id}` },
        for: { reference: `Patient/${patient.id}` },
        authoredOn: new Date().toISOString(),
        requester: { reference: `Organization/${headers.countyOrg.id}`, display: COUNTY },
        owner: { reference: `Organization/${headers.foodOrg.id}`, display: FOOD_BANK },
      });
      taskId = task.id;
    });

    afterAll(async () => {
      await page
        ?.screenshot({ path: path.join(SCREENSHOT_DIR, 'debug-inbox-last.png'), fullPage: true })
        .catch(() => undefined);
      await browser?.close();
      await kith?.close();
    });

    const summary = () => page.getByRole('status').filter({ hasText: /unread ·|No messages/ });

    it("the food bank worker reads the food bank's inbox and answers the referral as the food bank", async () => {
      await signIn(page, base, 'food-worker', PASSWORD);
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: /^Alerts \/ Inbox/ })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Alerts and messages' }).waitFor();
      // No choosing: the signed-in user works for one organization.
      expect(await page.getByTestId('acting-org').innerText()).toBe(`Working for ${FOOD_BANK}`);
      expect(await page.locator('select#acting-org').count()).toBe(0);
      await summary().filter({ hasText: '1 unread · 1 message shown' }).waitFor();
      const message = page.getByRole('listitem').filter({ hasText: 'New referral received' });
      expect(await message.innerText()).toMatch(
        new RegExp(`Unread[\\s\\S]*From ${COUNTY}[\\s\\S]*About Ada Okafor`),
      );
      await page.getByRole('link', { name: /1 unread referral update for Delta Food Bank/ }).waitFor();

      // Read and unread again, by hand; the banner follows.
      await message.getByRole('button', { name: 'Mark read' }).click();
      await summary().filter({ hasText: '0 unread · 1 message shown' }).waitFor();
      await page.getByRole('link', { name: /0 unread referral updates for Delta Food Bank/ }).waitFor();
      await page.getByRole('link', { name: 'Unread', exact: true }).click();
      await summary().filter({ hasText: 'No messages' }).waitFor();
      await page.getByRole('link', { name: 'All', exact: true }).click();
      await page
        .getByRole('listitem')
        .filter({ hasText: 'New referral received' })
        .getByRole('button', { name: 'Mark unread' })
        .click();
      await summary().filter({ hasText: '1 unread · 1 message shown' }).waitFor();
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-inbox.png'), fullPage: true });

      // The message opens the referral, where the food bank's moves are offered; accepting works.
      await page
        .getByRole('listitem')
        .filter({ hasText: 'New referral received' })
        .getByRole('link', { name: 'Open referral' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Referral' }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/referrals/Task/${taskId}`);
      await page.getByRole('button', { name: 'Accept' }).click();
      await page.getByRole('button', { name: 'Confirm: Accept' }).click();
      await page.getByTestId('referral-status').filter({ hasText: 'Accepted' }).waitFor();
      // Opening the referral read its message.
      await page.getByRole('link', { name: /0 unread referral updates for Delta Food Bank/ }).waitFor();
    });

    it('the food bank forwards it to a partner not on Kith, which answers through a signed link', async () => {
      await page.goto(`${base}/referrals/Task/${taskId}`);
      await page.getByTestId('referral-status').filter({ hasText: 'Accepted' }).waitFor();
      const sharing = page.getByRole('region', { name: 'Receivers not on Kith' });
      // The receiving side forwards; only the sending side makes links.
      expect(await sharing.getByRole('button', { name: 'Create link' }).count()).toBe(0);
      await sharing.getByLabel('Organization name').fill('Pantry Partner');
      await sharing.getByRole('button', { name: 'Find' }).click();
      await sharing.getByLabel('Forward to').selectOption({ label: PARTNER });
      await sharing.getByLabel('Note for them').fill('Client prefers mornings');
      await sharing.getByRole('button', { name: 'Forward referral' }).click();
      await page.waitForURL((u) => u.pathname.startsWith('/referrals/Task/') && !u.pathname.endsWith(taskId));
      const childId = new URL(page.url()).pathname.split('/').pop()!;
      await page.getByTestId('referral-status').filter({ hasText: 'Requested' }).waitFor();
      expect(await page.getByRole('link', { name: 'the original referral' }).getAttribute('href')).toBe(
        `/referrals/Task/${taskId}`,
      );
      const child = await api('system', 'GET', `/fhir/Task/${childId}`);
      expect(child).toMatchObject({
        partOf: [{ reference: `Task/${taskId}` }],
        requester: { reference: `Organization/${headers.foodOrg.id}` },
        status: 'requested',
      });

      // Now the food bank is the sender: it makes a link for the partner.
      const childSharing = page.getByRole('region', { name: 'Receivers not on Kith' });
      await childSharing.getByRole('button', { name: 'Create link' }).click();
      const first = await childSharing.getByLabel(/Referral link/).inputValue();
      expect(first).toMatch(/\/referral-link\/[^/]+$/);
      const jti = (u: string) => u.split('/referral-link/')[1].split('.')[0];
      const issued = childSharing.getByRole('table', { name: 'Links issued for this referral' });
      await issued.locator('tbody tr').first().waitFor();
      // The first went to the wrong address: the sender makes another and revokes the first.
      await childSharing.getByRole('button', { name: 'Create link' }).click();
      await page.waitForFunction(
        (old) => (document.querySelector('#link-url') as HTMLInputElement | null)?.value !== old,
        first,
      );
      const url = await childSharing.getByLabel(/Referral link/).inputValue();
      await issued.locator('tbody tr[data-state="active"]').nth(1).waitFor();
      expect(await issued.locator('tbody tr').count()).toBe(2);
      await issued.getByRole('button', { name: `Revoke link ${jti(first).slice(0, 8)}` }).click();
      await issued.locator('tbody tr[data-state="revoked"]').waitFor();
      expect(await issued.locator('tbody tr[data-state="revoked"]').innerText()).toContain(
        jti(first).slice(0, 8),
      );
      expect(await issued.getByRole('button', { name: `Revoke link ${jti(url).slice(0, 8)}` }).count()).toBe(
        1,
      );

      // The revoked link answers a clear error page, with nothing of the referral.
      const partner = await browser.context.newPage();
      await partner.goto(first);
      await partner.waitForURL((u) => u.pathname === '/referral-response');
      const refusal = partner.getByRole('alert');
      await refusal.waitFor();
      expect(await refusal.innerText()).toMatch(
        /This referral link was revoked by the sending organization on \d{4}-\d{2}-\d{2}\. Ask them for a new link/,
      );
      expect(await partner.getByRole('region', { name: 'Referral details' }).count()).toBe(0);

      // The partner opens the new one with no account: the minimum, and the receiver's moves.
      await partner.goto(url);
      await partner.reload();
      await partner.waitForURL((u) => u.pathname === '/referral-response');
      expect(new URL(partner.url()).hash.length).toBeGreaterThan(10);
      await partner.getByTestId('referral-status').filter({ hasText: 'Requested' }).waitFor();
      const details = await partner.getByRole('region', { name: 'Referral details' }).innerText();
      expect(details).toContain('Ada Okafor');
      expect(details).toContain('Emergency food');
      await partner.getByRole('button', { name: 'Accept' }).click();
      await partner.getByRole('button', { name: 'Confirm: Accept' }).click();
      await partner.getByTestId('referral-status').filter({ hasText: 'Accepted' }).waitFor();
      await partner.getByRole('button', { name: 'Complete' }).click();
      await partner.getByRole('button', { name: 'Confirm: Complete' }).click();
      expect(await partner.getByRole('alert').innerText()).toContain('Say what was done');
      await partner.getByLabel('Outcome (what was done)').fill('Weekly groceries arranged');
      await partner.getByRole('button', { name: 'Confirm: Complete' }).click();
      await partner.getByTestId('referral-status').filter({ hasText: 'Completed' }).waitFor();
      await partner.getByText('This referral is closed.').waitFor();
      await partner.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-referral-link.png'), fullPage: true });
      await partner.close();

      // The food bank sees the forwarded referral closed.
      await page.reload();
      await page.getByTestId('referral-status').filter({ hasText: 'Completed' }).waitFor();
    });

    it('the county worker sees the update in the county inbox and the referral among those sent', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, base, 'county-worker', PASSWORD);
      await page.goto(`${base}/inbox`);
      await page.getByRole('heading', { level: 1, name: 'Alerts and messages' }).waitFor();
      expect(await page.getByTestId('acting-org').innerText()).toBe(`Working for ${COUNTY}`);
      await summary().filter({ hasText: '1 unread · 1 message shown' }).waitFor();
      expect(
        await page
          .getByRole('listitem')
          .filter({ hasText: /Referral accepted/ })
          .innerText(),
      ).toContain(`From ${FOOD_BANK}`);
      await page.goto(`${base}/referrals?box=sent`);
      const row = page.getByRole('row', { name: /Ada Okafor/ });
      await row.waitFor();
      expect(await row.innerText()).toMatch(/Delta Food Bank[\s\S]*Accepted/);
      // The sender is offered only the sender's moves.
      await row.getByRole('link', { name: /Ada Okafor/ }).click();
      await page.getByTestId('referral-status').filter({ hasText: 'Accepted' }).waitFor();
      const actions = page.getByRole('group', { name: 'Change the status' });
      expect(await actions.getByRole('button', { name: 'Cancel referral' }).count()).toBe(1);
      expect(await actions.getByRole('button', { name: 'Start work' }).count()).toBe(0);
    });
  },
);
