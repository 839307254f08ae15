import type { Condition, Consent, Patient } from '@medplum/fhirtypes';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, findChromium, signIn, startBrowserKith } from '../helpers/browser';
import { fhirClient } from '../helpers/http';
import { FHIR_HEADERS, TEST_ADMIN, type TestKith } from '../helpers/kith';

const chromiumPath = findChromium();
const PASSWORD = 'consent-demo-password';
const FOOD_BANK = { id: 'harbor-food-bank', name: 'Harbor Food Bank' };
const CLINIC = { id: 'alder-clinic', name: 'Alder Community Health Clinic' };
const LEGAL_AID = { id: 'bay-legal-aid', name: 'Bay Legal Aid' };
const HOSPITAL = { id: 'valley-hospital', name: 'Valley Regional Hospital' };

const condition = (patientId: string, code: string, text: string): Condition => ({
  resourceType: 'Condition',
  subject: { reference: `Patient/${patientId}` },
  clinicalStatus: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
  },
  code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code, display: text }], text },
});

describe.skipIf(!chromiumPath)(
  'web app: consent capture and the accounting of disclosures in Chromium',
  () => {
    let kith: TestKith;
    let browser: Browser;
    let base: string;
    let page: Page;
    let patientId: string;

    beforeAll(async () => {
      ({ kith, browser, base, page } = await startBrowserKith(chromiumPath!));
      const system = fhirClient(kith.app);
      for (const org of [FOOD_BANK, CLINIC, LEGAL_AID, HOSPITAL])
        await system.put(`Organization/${org.id}`, { resourceType: 'Organization', ...org });
      const foodBank = await kith.addUser({
        username: 'foodbank.edit',
        password: PASSWORD,
        displayName: 'Nathan Moore',
        organization: { id: FOOD_BANK.id, kind: 'cbo', hipaaCoveredEntity: false, part2Program: false },
        practitionerRole: 'PractitionerRole/role-foodbank-edit',
        accessLevel: 'edit',
        purposeOfUse: 'COC',
      });
      const clinic = await kith.addUser({
        username: 'clinic.edit',
        password: PASSWORD,
        displayName: 'Samuel Okafor',
        organization: { id: CLINIC.id, kind: 'provider', hipaaCoveredEntity: true, part2Program: false },
        practitionerRole: 'PractitionerRole/role-clinic-edit',
        accessLevel: 'edit',
        purposeOfUse: 'TREAT',
      });
      await kith.addUser({
        username: 'hospital.doc',
        password: PASSWORD,
        displayName: 'Ada Ortiz',
        organization: { id: HOSPITAL.id, kind: 'provider', hipaaCoveredEntity: true, part2Program: false },
        practitionerRole: 'PractitionerRole/role-hospital-doc',
        accessLevel: 'edit',
        purposeOfUse: 'TREAT',
      });
      // The food bank holds the person's record; the clinic's data about them is the clinic's.
      const created = await kith.inject({
        method: 'POST',
        url: '/fhir/Patient',
        headers: { ...FHIR_HEADERS, ...foodBank.headers },
        payload: {
          resourceType: 'Patient',
          name: [{ family: 'Quintero', given: ['Elena'] }],
          birthDate: '1984-03-09',
          gender: 'female',
        } satisfies Patient,
      });
      expect(created.statusCode).toBe(201);
      patientId = (created.json() as Patient).id as string;
      for (const [code, text] of [
        ['E11.9', 'Type 2 diabetes mellitus'],
        ['F32.9', 'Major depressive disorder'],
        ['F10.20', 'Alcohol dependence, uncomplicated'],
      ]) {
        const res = await kith.inject({
          method: 'POST',
          url: '/fhir/Condition',
          headers: { ...FHIR_HEADERS, ...clinic.headers },
          payload: condition(patientId, code, text),
        });
        expect(res.statusCode).toBe(201);
      }
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await kith?.close();
    });

    const openPerson = async () => {
      await page.goto(`${base}/Patient/${patientId}`);
      await page.getByRole('heading', { level: 1, name: 'Elena Quintero' }).waitFor();
      await page.getByRole('region', { name: 'Demographics' }).waitFor();
    };

    it('a CBO user sees none of the clinic data about a person who has not consented', async () => {
      await signIn(page, base, 'foodbank.edit', PASSWORD);
      await openPerson();
      // The demographics and the related records arrive together: what is not shown now is not coming.
      expect(await page.getByText('Type 2 diabetes mellitus').count()).toBe(0);
      expect(await page.getByText('Major depressive disorder').count()).toBe(0);
      expect(await page.getByText('Alcohol dependence').count()).toBe(0);
    });

    it('records a consent on the consent screen, and the permitted data appears on the next request', async () => {
      await page.getByRole('link', { name: 'Consents' }).click();
      await page.getByRole('heading', { level: 1, name: 'Consents of Elena Quintero' }).waitFor();
      await page.getByText('No consent is recorded for this person').waitFor();
      const form = page.getByRole('form', { name: 'Record a consent' });
      await form.getByRole('group', { name: 'Organizations' }).getByLabel(FOOD_BANK.name).check();
      expect(await form.getByLabel('Unrestricted health and social data').isChecked()).toBe(true);
      expect(await form.getByLabel('Mental health').isChecked()).toBe(false);
      await form
        .getByRole('group', { name: 'For these purposes' })
        .getByLabel('Coordination of care')
        .check();
      await form.getByLabel('Signed form (optional)').setInputFiles({
        name: 'signed-consent.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4 signed consent'),
      });
      await form.getByRole('button', { name: 'Record consent' }).click();
      await page.getByRole('status').filter({ hasText: 'Consent recorded.' }).waitFor();
      const item = page.getByRole('list', { name: 'Consents' }).getByRole('listitem');
      await item
        .filter({ hasText: 'Permits sharing Unrestricted health and social data with Harbor Food Bank' })
        .waitFor();
      expect(await item.innerText()).toContain('for coordination of care');
      expect(await item.innerText()).toContain('Nathan Moore');
      expect(await item.getByRole('link', { name: 'signed-consent.pdf' }).count()).toBe(1);

      // The stored Consent is what the policy reads: one grant to the food bank, normal data only.
      const { rows } = await kith.kith.db.query(
        `select grantee, permit, labels, purposes from consent_grants where patient = $1`,
        [patientId],
      );
      expect(rows).toEqual([{ grantee: FOOD_BANK.id, permit: true, labels: ['N'], purposes: ['COC'] }]);

      await page.getByRole('link', { name: '← Elena Quintero' }).click();
      await page.getByText('Type 2 diabetes mellitus').waitFor();
      // Mental health data needs a consent that covers it: this one does not.
      expect(await page.getByText('Major depressive disorder').count()).toBe(0);
    });

    it('revoking the consent hides the data again', async () => {
      await page.goto(`${base}/Patient/${patientId}/consents`);
      const item = page.getByRole('list', { name: 'Consents' }).getByRole('listitem');
      await item.getByRole('button', { name: 'Revoke this consent' }).click();
      await item.filter({ hasText: 'Revoked' }).waitFor();
      expect(await item.getByRole('button', { name: 'Revoke this consent' }).count()).toBe(0);
      await openPerson();
      expect(await page.getByText('Type 2 diabetes mellitus').count()).toBe(0);
    });

    it('records several purposes and nested exceptions (except Part 2 data, except one organization)', async () => {
      await page.goto(`${base}/Patient/${patientId}/consents`);
      const form = page.getByRole('form', { name: 'Record a consent' });
      await form.waitFor();
      const recipients = form.getByRole('group', { name: 'Organizations', exact: true });
      await recipients.getByLabel(FOOD_BANK.name).check();
      await recipients.getByLabel(LEGAL_AID.name).check();
      const data = form.getByRole('group', { name: 'Which data' });
      await data.getByLabel('Mental health').check();
      await data.getByLabel('Substance use treatment (42 CFR Part 2)').check();
      const purposes = form.getByRole('group', { name: 'For these purposes' });
      await purposes.getByLabel('Coordination of care').check();
      await purposes.getByLabel('Care management').check();
      // Exception 1: no substance use data for anyone named above; exception 2: no mental health data for legal aid.
      await form.getByRole('button', { name: 'Add an exception' }).click();
      await form
        .getByRole('group', { name: 'Exception 1: kinds of data' })
        .getByLabel('Substance use treatment (42 CFR Part 2)')
        .check();
      await form.getByRole('button', { name: 'Add an exception' }).click();
      await form.getByRole('group', { name: 'Exception 2: recipients' }).getByLabel(LEGAL_AID.name).check();
      await form
        .getByRole('group', { name: 'Exception 2: kinds of data' })
        .getByLabel('Mental health')
        .check();
      // An empty third exception is refused with a reason, and removing it lets the consent be recorded.
      await form.getByRole('button', { name: 'Add an exception' }).click();
      await form.getByRole('button', { name: 'Record consent' }).click();
      await form.getByRole('alert').filter({ hasText: 'Exception 3: choose the organizations' }).waitFor();
      await form.getByRole('button', { name: 'Remove exception 3' }).click();
      await form.getByRole('button', { name: 'Record consent' }).click();
      await page.getByRole('status').filter({ hasText: 'Consent recorded.' }).waitFor();

      const item = page
        .getByRole('list', { name: 'Consents' })
        .getByRole('listitem')
        .filter({ hasText: 'In force' });
      await item.waitFor();
      const text = await item.innerText();
      expect(text).toContain(
        `with ${LEGAL_AID.name}, ${FOOD_BANK.name}, for coordination of care, care management`,
      );
      expect(text).toContain(
        `Denies sharing Substance use treatment (42 CFR Part 2) with ${LEGAL_AID.name}, ${FOOD_BANK.name}`,
      );
      expect(text).toContain(`Denies sharing Mental health with ${LEGAL_AID.name}`);

      // Stored as one FHIR Consent with nested provisions, which the policy reads as these rows.
      const search = await kith.inject({
        method: 'GET',
        url: `/fhir/Consent?patient=Patient/${patientId}&status=active`,
        headers: { authorization: `Bearer ${await kith.tokenFor({ username: TEST_ADMIN.username })}` },
      });
      const consents = search.json().entry.map((e: { resource: Consent }) => e.resource);
      expect(consents).toHaveLength(1);
      const provision = consents[0].provision;
      expect(provision.purpose.map((c: { code: string }) => c.code)).toEqual(['COC', 'CAREMGT']);
      expect(provision.provision.map((p: { type: string }) => p.type)).toEqual(['deny', 'deny']);
      const { rows } = await kith.kith.db.query(
        `select grantee, permit, depth, labels from consent_grants where consent_id = $1 order by seq`,
        [consents[0].id],
      );
      expect(rows.map((r: any) => `${r.grantee} ${r.permit} ${r.depth} ${r.labels.join(',')}`)).toEqual([
        `${LEGAL_AID.id} true 0 N,ETH,PSY`,
        `${FOOD_BANK.id} true 0 N,ETH,PSY`,
        `${LEGAL_AID.id} false 1 ETH`,
        `${FOOD_BANK.id} false 1 ETH`,
        `${LEGAL_AID.id} false 1 PSY`,
      ]);

      // The food bank now sees the normal and the mental health data, never the Part 2 data excepted.
      await page.getByRole('link', { name: '← Elena Quintero' }).click();
      await page.getByText('Type 2 diabetes mellitus').waitFor();
      await page.getByText('Major depressive disorder').waitFor();
      expect(await page.getByText('Alcohol dependence').count()).toBe(0);
    });

    it('a hospital doctor breaks the glass: with a stated reason, restricted data appears, for a limited time', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, base, 'hospital.doc', PASSWORD);
      await openPerson();
      // A covered entity sees normal data for treatment; mental health data needs the person's consent.
      await page.getByText('Type 2 diabetes mellitus').waitFor();
      expect(await page.getByText('Major depressive disorder').count()).toBe(0);
      await page.getByText('Emergency access (break the glass)').click();
      const form = page.getByRole('form', { name: 'Emergency access' });
      await form.getByLabel('Reason for emergency access').fill('ER');
      await form.getByRole('button', { name: 'Open emergency access' }).click();
      await form.getByRole('alert').filter({ hasText: 'State the emergency' }).waitFor();
      await form
        .getByLabel('Reason for emergency access')
        .fill('Unresponsive on arrival at the emergency room');
      await form.getByRole('button', { name: 'Open emergency access' }).click();
      await page.getByRole('status').filter({ hasText: 'Emergency access until' }).waitFor();
      await page.getByText('Major depressive disorder').waitFor();
      await page.getByText('Alcohol dependence').waitFor();
      expect(await page.getByLabel('Signed-in user').innerText()).toMatch(/emergency/i);
      const { rows } = await kith.kith.db.query(
        `select event::jsonb as e from audit_events where action = 'break-glass' order by seq desc limit 1`,
      );
      expect(JSON.stringify(rows[0].e)).toContain('Unresponsive on arrival at the emergency room');
      // The grant is the server's record for this session: a reload (a renewal from the cookie)
      // keeps it; ending it early returns to normal access.
      await page.reload();
      await page.getByRole('status').filter({ hasText: 'Emergency access until' }).waitFor();
      await page.getByText('Major depressive disorder').waitFor();
      await page.getByRole('button', { name: 'End emergency access now' }).click();
      await page.getByText('Emergency access (break the glass)').waitFor();
      await page.reload();
      await page.getByText('Type 2 diabetes mellitus').waitFor();
      expect(await page.getByText('Major depressive disorder').count()).toBe(0);
    });

    it('an administrator reads the accounting of disclosures for that person', async () => {
      // A CBO user has no such screen, and the server refuses the API.
      expect(await page.getByRole('link', { name: 'Disclosures' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await signIn(page, base, TEST_ADMIN.username, TEST_ADMIN.password);
      await openPerson();
      await page.getByRole('link', { name: 'Disclosures' }).click();
      await page
        .getByRole('heading', { level: 1, name: 'Accounting of disclosures: Elena Quintero' })
        .waitFor();
      const rows = page.getByRole('table', { name: 'Disclosures' }).getByRole('row');
      const byFoodBank = rows.filter({ hasText: 'Nathan Moore' });
      await byFoodBank.first().waitFor();
      // The food bank's reads of the person, with its organization and purpose, and the clinic's writes are not
      // disclosures (only what was shown counts).
      const text = await byFoodBank.allInnerTexts();
      expect(text.some((t) => t.includes('Opened a record') && t.includes('COC'))).toBe(true);
      expect(text.join('\n')).toContain(FOOD_BANK.name);
    });
  },
);
