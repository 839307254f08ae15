import type { Bundle, Patient } from '@medplum/fhirtypes';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, findChromium, SCREENSHOT_DIR, signIn, startBrowserKith } from '../helpers/browser';
import { FHIR_HEADERS, TEST_ADMIN, type TestKith } from '../helpers/kith';

const chromiumPath = findChromium();

const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';
const CALSAWS = 'https://kith.example.org/source/calsaws';
const CLINIC = 'https://kith.example.org/source/clinic-ehr';
const HMIS = 'https://kith.example.org/source/hmis';

/** Rosa in CalSAWS and (with her middle name) in the clinic: same SSN, birth date and address, auto-linked. */
const ROSA_CALSAWS: Patient = {
  resourceType: 'Patient',
  meta: { source: CALSAWS },
  name: [{ use: 'official', family: 'Martinez', given: ['Rosa'] }],
  gender: 'female',
  birthDate: '1978-11-02',
  identifier: [{ system: SSN_SYSTEM, value: '512-33-8841' }],
  telecom: [{ system: 'phone', value: '707-555-0133' }],
  address: [{ line: ['40 Cedar Ave'], city: 'Eureka', state: 'CA', postalCode: '95501' }],
};
const ROSA_CLINIC: Patient = {
  ...ROSA_CALSAWS,
  meta: { source: CLINIC },
  name: [{ use: 'official', family: 'Martinez', given: ['Rosa', 'Maria'] }],
};
/** Rosa again in HMIS under her married name, after a move, without SSN: the rules keep her apart. */
const ROSA_HMIS: Patient = {
  resourceType: 'Patient',
  meta: { source: HMIS },
  name: [{ use: 'official', family: 'Okafor', given: ['Rosa'] }],
  gender: 'female',
  birthDate: '1978-11-02',
  address: [{ line: ['9 Harbor Way'], city: 'Arcata', state: 'CA', postalCode: '95521' }],
};

describe.skipIf(!chromiumPath)('web app: merge, unmerge and split persons in Chromium', () => {
  let kith: TestKith;
  let browser: Browser;
  let base: string;
  let page: Page;
  const ids = { calsaws: '', clinic: '', hmis: '' };
  /** Each record's Person before any steward action. */
  let before: Record<keyof typeof ids, string | undefined>;

  const api = async <T>(url: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${base}/fhir/${url}`, {
      ...init,
      headers: { ...FHIR_HEADERS, ...kith.authHeaders },
    });
    const text = await res.text();
    expect(res.ok, text).toBe(true);
    return JSON.parse(text) as T;
  };
  const create = async (p: Patient): Promise<string> =>
    (await api<Patient>('Patient', { method: 'POST', body: JSON.stringify(p) })).id!;
  const personOf = async (patientId: string): Promise<string | undefined> =>
    (await api<Bundle>(`Person?link=Patient/${patientId}`)).entry?.[0]?.resource?.id;
  const personsNow = async (): Promise<Record<keyof typeof ids, string | undefined>> => ({
    calsaws: await personOf(ids.calsaws),
    clinic: await personOf(ids.clinic),
    hmis: await personOf(ids.hmis),
  });

  beforeAll(async () => {
    ({ kith, browser, base, page } = await startBrowserKith(chromiumPath!));
    ids.calsaws = await create(ROSA_CALSAWS);
    ids.clinic = await create(ROSA_CLINIC);
    ids.hmis = await create(ROSA_HMIS);
    before = await personsNow();
    // The starting state the steward corrects: two Persons, one of them with two records.
    expect(before.clinic).toBe(before.calsaws);
    expect(before.hmis).toBeDefined();
    expect(before.hmis).not.toBe(before.calsaws);
    await signIn(page, base, TEST_ADMIN.username, TEST_ADMIN.password);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await kith?.close();
  });

  const linkedRecords = () => page.getByRole('region', { name: 'Linked records' });
  const card = (name: string | RegExp) => page.getByRole('article', { name });

  it('merges two persons, shows the combined linked records, and unmerge restores both', async () => {
    await page.goto(`${base}/Patient/${encodeURIComponent(ids.calsaws)}`);
    await linkedRecords().getByText('2 source records are one person.').waitFor();
    await linkedRecords().getByRole('link', { name: 'Merge with another person' }).click();
    await page.getByRole('heading', { level: 1, name: 'Merge persons' }).waitFor();

    // The first person comes from the record page: golden record with where each value came from.
    const first = card(/^First person: Rosa (Maria )?Martinez$/);
    await first.getByRole('table').getByRole('caption').filter({ hasText: '2 linked records' }).waitFor();
    const golden = await first.getByRole('definition').allInnerTexts();
    expect(golden.join('\n')).toContain('Nov 2, 1978');
    expect(golden.join('\n')).toContain('•••-••-8841');
    expect(golden.join('\n')).not.toContain('512-33-8841');
    expect(golden.join('\n')).toMatch(/from Rosa (Maria )?Martinez \(https:\/\/kith\.example\.org\/source\//);

    // The second is found by name.
    await page.getByLabel('Name of the second person').fill('Okafor');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('button', { name: 'Choose Rosa Okafor, born Nov 2, 1978' }).click();
    const second = card('Second person: Rosa Okafor');
    await second.getByRole('table').getByRole('caption').filter({ hasText: '1 linked record' }).waitFor();
    expect(await second.getByRole('row', { name: /Rosa Okafor/ }).innerText()).toContain(HMIS);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-identity-merge.png'), fullPage: true });

    // The steward keeps the first person.
    const merge = page.getByRole('region', { name: 'Merge', exact: true });
    expect(
      await merge.getByRole('radio', { name: /^Rosa (Maria )?Martinez \(2 records\)$/ }).isChecked(),
    ).toBe(true);
    await merge.getByRole('button', { name: /^Merge into Rosa (Maria )?Martinez$/ }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Merged Rosa Okafor into Rosa (Maria )?Martinez\./ })
      .waitFor();
    const combined = card(/^Rosa (Maria )?Martinez \(merged\)$/);
    await combined.getByRole('table').getByRole('caption').filter({ hasText: '3 linked records' }).waitFor();
    const rows = await combined.getByRole('row').allInnerTexts();
    for (const source of [CALSAWS, CLINIC, HMIS]) expect(rows.join('\n')).toContain(source);
    expect(rows.join('\n')).toContain('Rosa Okafor');
    const merged = await personsNow();
    expect(merged).toEqual({ calsaws: before.calsaws, clinic: before.calsaws, hmis: before.calsaws });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-identity-merged.png'), fullPage: true });

    // Unmerge: the two persons as they were, with their own records.
    await page.getByRole('button', { name: 'Undo merge' }).click();
    await card('Second person: Rosa Okafor')
      .getByRole('table')
      .getByRole('caption')
      .filter({ hasText: '1 linked record' })
      .waitFor();
    await first.getByRole('table').getByRole('caption').filter({ hasText: '2 linked records' }).waitFor();
    expect(await personsNow()).toEqual(before);

    // The record page agrees.
    await page.goto(`${base}/Patient/${encodeURIComponent(ids.hmis)}`);
    await linkedRecords().getByText('Only this record is known for this person.').waitFor();
  });

  it('splits a selected record out of a person, and undo puts it back', async () => {
    await page.goto(`${base}/Patient/${encodeURIComponent(ids.calsaws)}`);
    await linkedRecords().getByText('2 source records are one person.').waitFor();
    const split = linkedRecords().getByRole('button', { name: 'Split selected into a new person' });
    expect(await split.isDisabled()).toBe(true);
    await linkedRecords().getByLabel('Select Rosa Maria Martinez', { exact: true }).check();
    await split.click();
    await linkedRecords()
      .getByRole('status')
      .filter({ hasText: 'Split Rosa Maria Martinez into a new person.' })
      .waitFor();
    await linkedRecords().getByText('Only this record is known for this person.').waitFor();
    const after = await personsNow();
    expect(after.calsaws).toBe(before.calsaws);
    expect(after.clinic).not.toBe(before.calsaws);
    expect(after.clinic).not.toBe(before.hmis);

    await linkedRecords().getByRole('button', { name: 'Undo' }).click();
    await linkedRecords().getByText('2 source records are one person.').waitFor();
    expect(await personsNow()).toEqual(before);
  });
});
