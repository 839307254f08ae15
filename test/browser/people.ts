import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

/** People for the browser tests, loaded through the FHIR API as one transaction. */

const post = (fullUrl: string, resource: Resource): BundleEntry => ({
  fullUrl,
  resource,
  request: { method: 'POST', url: resource.resourceType },
});

const MARIA = 'urn:uuid:5d0c2f7e-0000-4000-8000-000000000001';
const ORG = 'urn:uuid:5d0c2f7e-0000-4000-8000-000000000002';
const CLINIC = 'urn:uuid:5d0c2f7e-0000-4000-8000-000000000003';
const subject = { reference: MARIA };

export const SSN = '123-45-6789';

/** Twenty-two people named Nguyen, so the search has a second page. */
const NGUYENS =
  'Ana Binh Cam Dao Em Gia Hai Hoa Huong Khanh Lan Linh Mai Minh Nam Ngoc Phuong Quang Son Thanh Tuan Vy'
    .split(' ')
    .map((given, i) =>
      post(`urn:uuid:5d0c2f7e-0000-4000-8000-1000000000${String(i).padStart(2, '0')}`, {
        resourceType: 'Patient',
        name: [{ family: 'Nguyen', given: [given] }],
        birthDate: `19${60 + i}-01-15`,
        gender: i % 2 ? 'male' : 'female',
      }),
    );

export const PEOPLE: Bundle = {
  resourceType: 'Bundle',
  type: 'transaction',
  entry: [
    post(ORG, { resourceType: 'Organization', name: 'Alder County Behavioral Health' }),
    post(CLINIC, { resourceType: 'Location', name: 'Westside Family Clinic' }),
    post(MARIA, {
      resourceType: 'Patient',
      meta: { source: 'https://kith.example.org/source/clinic-ehr' },
      name: [{ use: 'official', family: 'Lopez', given: ['Maria', 'Elena'] }],
      gender: 'female',
      birthDate: '1984-03-12',
      identifier: [
        { system: 'https://kith.example.org/id/clinic-mrn', value: 'MRN-40021' },
        {
          type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'SS' }] },
          system: 'http://hl7.org/fhir/sid/us-ssn',
          value: SSN,
        },
      ],
      address: [{ use: 'home', line: ['12 Oak St'], city: 'Alder', state: 'CA', postalCode: '95501' }],
      telecom: [{ system: 'phone', value: '555-0142', use: 'mobile' }],
    }),
    post('urn:uuid:5d0c2f7e-0000-4000-8000-000000000010', {
      resourceType: 'Encounter',
      status: 'finished',
      class: {
        system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
        code: 'AMB',
        display: 'ambulatory',
      },
      type: [{ text: 'Follow-up visit' }],
      subject,
      period: { start: '2024-01-02T10:00:00-08:00', end: '2024-01-02T11:00:00-08:00' },
      location: [{ location: { reference: CLINIC } }],
    }),
    post('urn:uuid:5d0c2f7e-0000-4000-8000-000000000011', {
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
      subject,
      period: { start: '2023-07-19T22:10:00-07:00', end: '2023-07-20T03:00:00-07:00' },
    }),
    post('urn:uuid:5d0c2f7e-0000-4000-8000-000000000020', {
      resourceType: 'Condition',
      subject,
      code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertension' }] },
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      onsetDateTime: '2019-06-01',
    }),
    post('urn:uuid:5d0c2f7e-0000-4000-8000-000000000030', {
      resourceType: 'Observation',
      status: 'final',
      subject,
      code: { coding: [{ system: 'http://loinc.org', code: '8302-2', display: 'Body height' }] },
      effectiveDateTime: '2024-01-02',
      valueQuantity: { value: 165, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' },
    }),
    post('urn:uuid:5d0c2f7e-0000-4000-8000-000000000031', {
      resourceType: 'Observation',
      status: 'final',
      subject,
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel' }] },
      effectiveDateTime: '2024-01-02',
      component: [
        {
          code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
          valueQuantity: { value: 128, unit: 'mm[Hg]' },
        },
        {
          code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] },
          valueQuantity: { value: 82, unit: 'mm[Hg]' },
        },
      ],
    }),
    post('urn:uuid:5d0c2f7e-0000-4000-8000-000000000040', {
      resourceType: 'EpisodeOfCare',
      status: 'active',
      patient: subject,
      type: [{ text: 'Enhanced Care Management' }],
      period: { start: '2024-02-01' },
      managingOrganization: { reference: ORG },
    }),
    post('urn:uuid:5d0c2f7e-0000-4000-8000-000000000041', {
      resourceType: 'Patient',
      name: [{ family: 'Lopez', given: ['Marco'] }],
      birthDate: '1979-11-30',
      gender: 'male',
    }),
    ...NGUYENS,
  ],
};
