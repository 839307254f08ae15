import type { Bundle, Patient } from '@medplum/fhirtypes';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, findChromium, SCREENSHOT_DIR, signIn, startBrowserKith } from '../helpers/browser';
import { FHIR_HEADERS, TEST_ADMIN, type TestKith } from '../helpers/kith';

const chromiumPath = findChromium();

const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';

const FRANCISCO: Patient = {
  resourceType: 'Patient',
  meta: { source: 'https://kith.example.org/source/calsaws' },
  name: [{ use: 'official', family: 'Delgado', given: ['Francisco'] }],
  gender: 'male',
  birthDate: '1965-07-21',
  identifier: [{ system: SSN_SYSTEM, value: '455-10-2020' }],
  telecom: [{ system: 'phone', value: '510-555-0155' }],
  address: [{ line: ['77 Foothill Blvd'], city: 'Oakland', state: 'CA', postalCode: '94601' }],
};

const MARIA: Patient = {
  resourceType: 'Patient',
  meta: { source: 'https://kith.example.org/source/clinic-ehr' },
  name: [{ use: 'official', family: 'Lopez', given: ['Maria'] }],
  gender: 'female',
  birthDate: '1990-05-06',
  address: [{ line: ['12 Elm St'], city: 'Oakland', state: 'CA', postalCode: '94601' }],
};

/** Variants of Maria as a worker might type them; the test uses the first the rules send to review. */
const MARIA_VARIANTS = [
  { given: 'Mariah', family: 'Lopez', city: 'Oakland' },
  { given: 'Maria', family: 'Lopez', city: '' },
  { given: 'Mariah', family: 'Lopes', city: '' },
  { given: 'Marie', family: 'Lopez', city: '' },
];

describe.skipIf(!chromiumPath)(
  'web app: create a person, identity review and linked records in Chromium',
  () => {
    let kith: TestKith;
    let browser: Browser;
    let base: string;
    let page: Page;
    let mariaId: string;

    const api = async <T>(url: string, init: RequestInit = {}): Promise<T> => {
      const res = await fetch(`${base}/fhir/${url}`, {
        ...init,
        headers: { ...FHIR_HEADERS, ...kith.authHeaders },
      });
      const text = await res.text();
      expect(res.ok, text).toBe(true);
      return JSON.parse(text) as T;
    };
    const personOf = async (patientId: string): Promise<string | undefined> =>
      (await api<Bundle>(`Person?link=Patient/${patientId}`)).entry?.[0]?.resource?.id;

    beforeAll(async () => {
      ({ kith, browser, base, page } = await startBrowserKith(chromiumPath!));
      await api('Patient', { method: 'POST', body: JSON.stringify(FRANCISCO) });
      mariaId = (await api<Patient>('Patient', { method: 'POST', body: JSON.stringify(MARIA) })).id!;
      await signIn(page, base, TEST_ADMIN.username, TEST_ADMIN.password);
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await kith?.close();
    });

    const fillForm = async (p: Record<string, string>): Promise<void> => {
      for (const [label, value] of Object.entries(p))
        await page.getByLabel(label, { exact: true }).fill(value);
    };
    const linkedRecords = () => page.getByRole('region', { name: 'Linked records' });

    it('shows an existing record that matches, with the grade and why, before creating anyone', async () => {
      await page.goto(`${base}/`);
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Create a person' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Create a person' }).waitFor();
      await fillForm({
        'First name': 'Paco',
        'Last name': 'Delgado',
        'Birth date': '07/21/1965',
        SSN: '455102020',
        Phone: '(510) 555-0155',
        'Street address': '77 Foothill Boulevard',
        City: 'Oakland',
      });
      await page.getByRole('button', { name: 'Check for existing records' }).click();
      const card = page.getByRole('article', { name: 'Francisco Delgado' });
      await card.waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'may be this person' }).innerText()).toContain(
        '1 existing record may be this person',
      );
      const text = await card.innerText();
      expect(text).toContain('Certain match');
      expect(text).toContain('Jul 21, 1965');
      expect(text).toContain('•••-••-2020');
      expect(text).not.toContain('455-10-2020');
      const evidence = card.getByRole('table', { name: /Why Francisco Delgado may be this person/ });
      expect(await evidence.getByRole('row', { name: /First name/ }).innerText()).toMatch(
        /Nickname of each other\s+\+\d/,
      );
      expect(await evidence.getByRole('row', { name: /SSN/ }).innerText()).toMatch(/Same\s+\+\d/);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-identity-match.png'), fullPage: true });

      // The worker opens the existing person instead of creating a duplicate.
      await card.getByRole('link', { name: 'Francisco Delgado' }).click();
      await page.getByRole('heading', { level: 1, name: 'Francisco Delgado' }).waitFor();
      await linkedRecords().getByText('Only this record is known for this person.').waitFor();
    });

    it('creates a record that goes to review, links it in the queue, shows both records, and unlinks', async () => {
      // The variant whose best candidate is Maria with a grade below certain: it will land in review.
      let variant: (typeof MARIA_VARIANTS)[number] | undefined;
      for (const v of MARIA_VARIANTS) {
        const bundle = await api<Bundle>('Patient/$match', {
          method: 'POST',
          body: JSON.stringify({
            resourceType: 'Parameters',
            parameter: [
              {
                name: 'resource',
                resource: {
                  ...MARIA,
                  meta: undefined,
                  name: [{ family: v.family, given: [v.given] }],
                  address: v.city ? [{ city: v.city }] : undefined,
                },
              },
            ],
          }),
        });
        const top = bundle.entry?.[0];
        const grade = top?.search?.extension?.[0]?.valueCode;
        if (top?.resource?.id === mariaId && grade && grade !== 'certain') {
          variant = v;
          break;
        }
      }
      expect(variant, 'one variant of Maria goes to review under the default rules').toBeDefined();
      const v = variant!;

      await page.goto(`${base}/people/new`);
      await fillForm({
        'First name': v.given,
        'Last name': v.family,
        'Birth date': '1990-05-06',
        City: v.city,
      });
      await page.getByLabel('Gender').selectOption('female');
      await page.getByRole('button', { name: 'Check for existing records' }).click();
      const card = page.getByRole('article', { name: 'Maria Lopez' });
      await card.waitFor();
      expect(await card.innerText()).toMatch(/(Probable|Possible) match/);
      await page.getByRole('button', { name: 'None of these: create a new record' }).click();
      const newName = `${v.given} ${v.family}`;
      await page.getByRole('heading', { level: 1, name: newName }).waitFor();
      const newId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
      expect(newId).not.toBe(mariaId);
      await linkedRecords().getByText('a possible match awaits review').waitFor();
      expect(await personOf(newId)).not.toBe(await personOf(mariaId));

      // The steward decides the pair in the review queue.
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: /^Identity review/ })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Identity review' }).waitFor();
      const task = page.getByRole('article', { name: `${newName} and Maria Lopez` });
      await task.waitFor();
      const sideBySide = await task.getByRole('table', { name: 'The two records side by side' }).innerText();
      expect(sideBySide).toContain('May 6, 1990');
      expect(sideBySide).toContain('https://kith.example.org/source/clinic-ehr');
      const fields = task.getByRole('table', { name: 'Field by field, as the matching rules see it' });
      expect(await fields.getByRole('row', { name: /Birth date/ }).innerText()).toMatch(/Same\s+\+\d/);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-identity-review.png'), fullPage: true });
      await task.getByRole('button', { name: 'Same person: link' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Linked ${newName} with Maria Lopez` })
        .waitFor();
      await page.getByText('No records wait for review.').waitFor();
      expect(await personOf(newId)).toBe(await personOf(mariaId));

      // The person page lists both source records with their source and assurance.
      await page.goto(`${base}/Patient/${encodeURIComponent(newId)}`);
      await linkedRecords().getByText('2 source records are one person.').waitFor();
      const mariaRow = await linkedRecords()
        .getByRole('row', { name: /Maria Lopez/ })
        .innerText();
      expect(mariaRow).toContain('https://kith.example.org/source/clinic-ehr');
      expect(
        await linkedRecords()
          .getByRole('row', { name: /this record/ })
          .innerText(),
      ).toContain('Confirmed by a data steward');
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-identity-linked.png'), fullPage: true });

      // Unlink Maria's record: the two are separate people again; undo restores the link.
      await linkedRecords().getByRole('button', { name: 'Unlink Maria Lopez' }).click();
      await linkedRecords().getByRole('status').filter({ hasText: 'Unlinked Maria Lopez' }).waitFor();
      await linkedRecords().getByText('Only this record is known for this person.').waitFor();
      expect(await personOf(newId)).not.toBe(await personOf(mariaId));
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-identity-unlinked.png'), fullPage: true });

      await linkedRecords().getByRole('button', { name: 'Undo' }).click();
      await linkedRecords().getByText('2 source records are one person.').waitFor();
      expect(await personOf(newId)).toBe(await personOf(mariaId));
    });
  },
);
