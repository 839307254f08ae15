import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallerOrganization } from '../../src/privacy/caller';
import { findChromium, signIn, type Browser, startBrowserKith } from '../helpers/browser';
import { FHIR_HEADERS, type TestKith } from '../helpers/kith';

const chromiumPath = findChromium();
const SENDER = 'Vale County Health';
const CLINIC = 'Vale Street Clinic';
const SHELTER = 'Vale Family Shelter';
const ELSEWHERE = 'Vale Legal Aid';
const PASSWORD = 'correct horse battery staple 42';

/**
 * A person with roles in two organizations (a clinic and a shelter) signs in: the server says whom
 * they act for (GET /notify/acting-for), the screen offers exactly those, and choosing one changes
 * the inbox, the banner and the referral list to that organization's. A pick for an organization
 * they have no role in is not honoured, and the server refuses that organization's inbox.
 */
describe.skipIf(!chromiumPath)('web app: a user of two organizations chooses whom they act for', () => {
  let kith: TestKith;
  let browser: Browser;
  let base: string;
  let page: Page;
  const org: Record<string, string> = {};
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
  const orgOf = (id: string): CallerOrganization => ({
    id,
    kind: 'provider',
    hipaaCoveredEntity: true,
    part2Program: false,
  });

  beforeAll(async () => {
    ({ kith, browser, base, page } = await startBrowserKith(chromiumPath!));
    headers.system = kith.authHeaders;
    for (const [key, name] of [
      ['sender', SENDER],
      ['clinic', CLINIC],
      ['shelter', SHELTER],
      ['elsewhere', ELSEWHERE],
    ])
      org[key] = (
        await api('system', 'POST', '/fhir/Organization', { resourceType: 'Organization', name })
      ).id;
    const role = async (practitioner: string, at: string) =>
      (
        await api('system', 'POST', '/fhir/PractitionerRole', {
          resourceType: 'PractitionerRole',
          active: true,
          practitioner: { reference: `Practitioner/${practitioner}` },
          organization: { reference: `Organization/${at}` },
        })
      ).id as string;
    // The sender's worker.
    const sender = (
      await api('system', 'POST', '/fhir/Practitioner', {
        resourceType: 'Practitioner',
        name: [{ family: 'Sender' }],
      })
    ).id;
    headers.sender = (
      await kith.addUser({
        username: 'sender-worker',
        password: PASSWORD,
        practitionerRole: `PractitionerRole/${await role(sender, org.sender)}`,
        organization: orgOf(org.sender),
        accessLevel: 'edit',
        purposeOfUse: 'CAREMGT',
      })
    ).headers;
    // Noor works at the clinic (her account's organization) and, in a second role, at the shelter.
    const noor = (
      await api('system', 'POST', '/fhir/Practitioner', {
        resourceType: 'Practitioner',
        name: [{ family: 'Haddad', given: ['Noor'] }],
      })
    ).id;
    const clinicRole = await role(noor, org.clinic);
    await role(noor, org.shelter);
    headers.noor = (
      await kith.addUser({
        username: 'noor',
        password: PASSWORD,
        displayName: 'Noor Haddad',
        practitionerRole: `PractitionerRole/${clinicRole}`,
        organization: orgOf(org.clinic),
        accessLevel: 'edit',
        purposeOfUse: 'CAREMGT',
      })
    ).headers;
    // One referral to each of the three receivers, each about a different person.
    for (const [to, family] of [
      ['clinic', 'Clinicperson'],
      ['shelter', 'Shelterperson'],
      ['elsewhere', 'Elsewhereperson'],
    ]) {
      const patient = await api('sender', 'POST', '/fhir/Patient', {
        resourceType: 'Patient',
        name: [{ family, given: ['Pat'] }],
      });
      const sr = await api('sender', 'POST', '/fhir/ServiceRequest', {
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        subject: { reference: `Patient/${patient.id}` },
        code: { text: `Help at ${to}` },
      });
      await api('sender', 'POST', '/fhir/Task', {
        resourceType: 'Task',
        status: 'requested',
        intent: 'order',
        code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' }] },
        focus: { reference: `ServiceRequest/${sr.id}` },
        for: { reference: `Patient/${patient.id}` },
        authoredOn: new Date().toISOString(),
        requester: { reference: `Organization/${org.sender}` },
        owner: { reference: `Organization/${org[to]}` },
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await kith?.close();
  });

  const summary = () => page.getByRole('status').filter({ hasText: /unread ·|No messages/ });
  const messages = () => page.getByRole('listitem').filter({ hasText: 'New referral received' });
  const picker = () => page.getByLabel('Working for');

  it('offers the two organizations the server names, and the inbox follows the choice', async () => {
    // The server's answer: her account's organization first, then her other role's; not the others.
    const acting = await api('noor', 'GET', '/notify/acting-for');
    expect(acting.any).toBe(false);
    expect(acting.organizations).toEqual([org.clinic, org.shelter]);

    await signIn(page, base, 'noor', PASSWORD);
    await page.goto(`${base}/inbox`);
    await page.getByRole('heading', { level: 1, name: 'Alerts and messages' }).waitFor();
    // Exactly those two are offered; the account's own organization is the first choice. The
    // picker fills in when the page has the server's answer, which may come after the heading.
    await picker().locator('option', { hasText: SHELTER }).waitFor({ state: 'attached' });
    expect(await picker().locator('option').allInnerTexts()).toEqual([CLINIC, SHELTER]);
    expect(await picker().inputValue()).toBe(`Organization/${org.clinic}`);
    await summary().filter({ hasText: '1 unread · 1 message shown' }).waitFor();
    expect(await messages().innerText()).toContain('About Pat Clinicperson');
    await page.getByRole('link', { name: new RegExp(`1 unread referral update for ${CLINIC}`) }).waitFor();

    // Working for the shelter: its inbox and its banner count.
    await picker().selectOption({ label: SHELTER });
    await page.getByRole('link', { name: new RegExp(`1 unread referral update for ${SHELTER}`) }).waitFor();
    await messages().filter({ hasText: 'About Pat Shelterperson' }).waitFor();
    expect(await messages().count()).toBe(1);
    expect(await page.locator('main').innerText()).not.toContain('Clinicperson');
  });

  it('the referral list follows the choice too, and the choice is kept across a reload', async () => {
    await page.goto(`${base}/referrals`);
    await page.getByRole('heading', { level: 1, name: 'Referrals' }).waitFor();
    await picker().locator('option', { hasText: SHELTER }).waitFor({ state: 'attached' });
    expect(await picker().inputValue()).toBe(`Organization/${org.shelter}`);
    await page.getByRole('row', { name: /Shelterperson/ }).waitFor();
    expect(await page.getByRole('row', { name: /Clinicperson|Elsewhereperson/ }).count()).toBe(0);

    await picker().selectOption({ label: CLINIC });
    await page.getByRole('row', { name: /Clinicperson/ }).waitFor();
    expect(await page.getByRole('row', { name: /Shelterperson|Elsewhereperson/ }).count()).toBe(0);

    await page.reload();
    await page.getByRole('row', { name: /Clinicperson/ }).waitFor();
    expect(await picker().inputValue()).toBe(`Organization/${org.clinic}`);
  });

  it('a pick for an organization she has no role in is not honoured, and the server refuses its inbox', async () => {
    await page.evaluate(
      ([ref, name]) =>
        localStorage.setItem('kith.actingOrganization.noor', JSON.stringify({ reference: ref, name })),
      [`Organization/${org.elsewhere}`, ELSEWHERE],
    );
    await page.goto(`${base}/inbox`);
    await page.getByRole('heading', { level: 1, name: 'Alerts and messages' }).waitFor();
    await summary().filter({ hasText: '1 unread · 1 message shown' }).waitFor();
    expect(await picker().inputValue()).toBe(`Organization/${org.clinic}`);
    expect(await picker().locator('option').allInnerTexts()).toEqual([CLINIC, SHELTER]);
    expect(await page.locator('main').innerText()).not.toContain('Elsewhereperson');

    const refused = await fetch(
      `${base}/notify/inbox?recipient=${encodeURIComponent(`Organization/${org.elsewhere}`)}`,
      { headers: headers.noor },
    );
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('its inbox is not yours to read');
    // ... while the shelter's, her second role's, is hers.
    const shelter = await fetch(
      `${base}/notify/inbox/unread-count?recipient=${encodeURIComponent(`Organization/${org.shelter}`)}`,
      { headers: headers.noor },
    );
    expect(shelter.status).toBe(200);
    expect((await shelter.json()).unread).toBe(1);
  });
});
