import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referralTransaction } from '../../web/src/referrals/referral-bundle';
import type { TestKith } from '../helpers/kith';
import { fhirClient, type FhirClient } from '../helpers/http';
import { startReferralKith } from './setup';

/**
 * A referral names the health concern it is for (ServiceRequest.reasonReference, as the web app sends
 * it), and the receiving organization — a CBO that sees nothing of the person without a consent —
 * may read that concern under the referral's consent, and not the person's other conditions.
 */
let t: TestKith;
let sender: FhirClient;
let receiver: FhirClient;
let ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startReferralKith();
  const system = fhirClient(t.app);
  const county = (await system.create({ resourceType: 'Organization', name: 'County HHS' })).id;
  const pantry = (await system.create({ resourceType: 'Organization', name: 'Food Bank' })).id;
  const service = await system.create({
    resourceType: 'HealthcareService',
    active: true,
    name: 'Pantry',
    providedBy: { reference: `Organization/${pantry}` },
  });
  const patient = (await system.create({ resourceType: 'Patient', name: [{ family: 'Reasons' }] })).id;
  const condition = (code: string, text: string) =>
    system.create({
      resourceType: 'Condition',
      subject: { reference: `Patient/${patient}` },
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
      code: { coding: [{ system: 'http://snomed.info/sct', code }], text },
    });
  const food = (await condition('733423003', 'Food insecurity')).id;
  // An SDOH assessment finding (Hunger Vital Sign), the other kind of reason a referral can name.
  const finding = (
    await system.create({
      resourceType: 'Observation',
      status: 'final',
      subject: { reference: `Patient/${patient}` },
      category: [
        {
          coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-category', code: 'sdoh' }],
        },
      ],
      code: { coding: [{ system: 'http://loinc.org', code: '88124-3' }], text: 'Food insecurity risk' },
      valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: 'LA19952-3' }], text: 'At risk' },
    })
  ).id;
  const other = (await condition('73211009', 'Diabetes')).id;
  const user = async (name: string, org: string, covered: boolean) =>
    fhirClient(t.app, {
      token: (
        await t.addUser({
          username: name,
          password: 'a long enough password 123',
          organization: {
            id: org,
            kind: covered ? 'provider' : 'cbo',
            hipaaCoveredEntity: covered,
            part2Program: false,
          },
          accessLevel: 'edit',
          purposeOfUse: 'CAREMGT',
        })
      ).token,
    });
  sender = await user('county-worker', county, true);
  receiver = await user('pantry-worker', pantry, false);
  ids = { county, pantry, patient, food, other, finding, service: service.id };
});
afterAll(() => t?.close());

describe('the health concern a referral is for', () => {
  it('before the referral, the food bank sees none of the person', async () => {
    expect((await receiver.get(`Condition/${ids.food}`)).status).toBe(404);
    expect((await receiver.get(`Observation/${ids.finding}`)).status).toBe(404);
  });

  it('is the ServiceRequest reason, and the receiver may read it and nothing else of the person', async () => {
    const bundle = referralTransaction({
      patient: `Patient/${ids.patient}`,
      service: { resourceType: 'HealthcareService', id: ids.service, name: 'Pantry' },
      owner: { reference: `Organization/${ids.pantry}` },
      requester: { reference: `Organization/${ids.county}` },
      category: 'food-insecurity',
      reason: '',
      reasons: [
        { reference: `Condition/${ids.food}`, display: 'Food insecurity' },
        { reference: `Observation/${ids.finding}`, display: 'Food insecurity risk: At risk' },
      ],
      consent: true,
    });
    const r = await sender.post('', bundle);
    expect(r.status, r.text).toBe(200);
    const srId = /ServiceRequest\/([^/]+)/.exec((r.body as Bundle).entry?.[1]?.response?.location ?? '')?.[1];
    const sr = await receiver.get(`ServiceRequest/${srId}`);
    expect(sr.status, sr.text).toBe(200);
    expect(sr.body.reasonReference.map((r: { reference: string }) => r.reference)).toEqual([
      `Condition/${ids.food}`,
      `Observation/${ids.finding}`,
    ]);
    const finding = await receiver.get(`Observation/${ids.finding}`);
    expect(finding.status, finding.text).toBe(200);
    const concern = await receiver.get(`Condition/${ids.food}`);
    expect(concern.status, concern.text).toBe(200);
    expect(concern.body.code.text).toBe('Food insecurity');
    expect((await receiver.get(`Condition/${ids.other}`)).status).toBe(404);
    expect((await receiver.get(`Patient/${ids.patient}`)).status).toBe(404);
    const found = await receiver.ids(`Condition?subject=Patient/${ids.patient}`);
    expect(found).toEqual([ids.food]);
  });
});
