import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { groupResources } from './groups';
import { summarize, type Summary } from './summaries';

const subject = { reference: 'Patient/p1' };
const names = new Map([
  ['Organization/o1', 'Fresno County Behavioral Health'],
  ['Location/l1', 'Westside Clinic'],
  ['Practitioner/pr1', 'Ana Ruiz'],
]);
const ctx = { nameOf: (k: string) => names.get(k) };

/** The details as "Label: value" lines, which is what a reader sees. */
function lines(s: Summary): string[] {
  return s.details.map((d) => `${d.label}: ${d.value}`);
}

describe('summarize', () => {
  it('Encounter: type or class, period, location', () => {
    const s = summarize(
      {
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        subject,
        period: { start: '2024-01-02T10:00:00Z', end: '2024-01-02T11:00:00Z' },
        location: [{ location: { reference: 'Location/l1' } }],
      },
      ctx,
    );
    expect(s.title).toBe('Ambulatory encounter');
    expect(s.status).toBe('Finished');
    expect(s.tone).toBe('done');
    expect(lines(s)).toEqual([
      'Class: Ambulatory',
      'Period: Jan 2, 2024, 10:00–11:00 UTC',
      'Location: Westside Clinic',
    ]);
  });

  it('Condition: code display, onset, clinical status', () => {
    const s = summarize({
      resourceType: 'Condition',
      subject,
      code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertension' }] },
      clinicalStatus: { coding: [{ code: 'active', display: 'Active' }] },
      onsetDateTime: '2019-06-01',
    });
    expect(s.title).toBe('Hypertension');
    expect(s.status).toBe('Active');
    expect(s.statusKind).toBe('Clinical status');
    expect(lines(s)).toEqual(['Onset: Jun 1, 2019']);
    const provisional = summarize({
      resourceType: 'Condition',
      subject,
      code: { text: 'Asthma' },
      verificationStatus: { coding: [{ code: 'provisional' }] },
      recordedDate: '2024-02-02',
    });
    expect(lines(provisional)).toEqual(['Verification: Provisional', 'Recorded: Feb 2, 2024']);
    expect(s.sortKey).toBe('2019-06-01');
  });

  it('Observation: value with unit and date; blood pressure as systolic/diastolic', () => {
    const height = summarize({
      resourceType: 'Observation',
      status: 'final',
      subject,
      code: { coding: [{ system: 'http://loinc.org', code: '8302-2', display: 'Body height' }] },
      effectiveDateTime: '2024-01-02',
      valueQuantity: { value: 165, unit: 'cm' },
    });
    expect(height.title).toBe('Body height');
    expect(lines(height)).toEqual(['Value: 165 cm', 'Date: Jan 2, 2024']);
    const bp = summarize({
      resourceType: 'Observation',
      status: 'final',
      subject,
      code: { text: 'Blood pressure' },
      component: [
        { code: { coding: [{ code: '8480-6' }] }, valueQuantity: { value: 128, unit: 'mm[Hg]' } },
        { code: { coding: [{ code: '8462-4' }] }, valueQuantity: { value: 82, unit: 'mm[Hg]' } },
      ],
    });
    expect(lines(bp)[0]).toBe('Value: 128/82 mmHg');
    const food = summarize({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Worried food would run out' },
      valueCodeableConcept: { coding: [{ display: 'Often true' }] },
    });
    expect(lines(food)[0]).toBe('Value: Often true');
    const lab = summarize({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Leukocytes' },
      category: [{ coding: [{ code: 'laboratory' }] }],
      valueQuantity: { value: 3.8432834741813267, unit: '10*3/uL' },
    });
    expect(lines(lab)).toEqual(['Value: 3.84 × 10³/µL', 'Category: Laboratory']);
  });

  it('EpisodeOfCare: program, period, status, managing organization', () => {
    const s = summarize(
      {
        resourceType: 'EpisodeOfCare',
        status: 'active',
        patient: subject,
        type: [{ text: 'Enhanced Care Management' }],
        period: { start: '2024-02-01' },
        managingOrganization: { reference: 'Organization/o1' },
      },
      ctx,
    );
    expect(s.title).toBe('Enhanced Care Management');
    expect(s.status).toBe('Active');
    expect(lines(s)).toEqual([
      'Period: since Feb 1, 2024',
      'Managing organization: Fresno County Behavioral Health',
    ]);
  });

  it('Task and ServiceRequest: status and owner', () => {
    const task = summarize(
      {
        resourceType: 'Task',
        status: 'in-progress',
        intent: 'order',
        for: subject,
        code: { text: 'Fulfill the referral' },
        owner: { reference: 'Organization/o1' },
        businessStatus: { text: 'Scheduled intake' },
      },
      ctx,
    );
    expect(task.status).toBe('In progress');
    expect(task.tone).toBe('active');
    expect(lines(task)).toContain('Owner: Fresno County Behavioral Health');
    expect(lines(task)).toContain('Business status: Scheduled intake');
    const sr = summarize(
      {
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        subject,
        code: { text: 'Food pantry referral' },
        category: [{ text: 'Food insecurity' }],
        requester: { reference: 'Practitioner/pr1' },
        authoredOn: '2024-03-04',
      },
      ctx,
    );
    expect(sr.title).toBe('Food pantry referral');
    expect(lines(sr)).toEqual([
      'Category: Food insecurity',
      'Requested by: Ana Ruiz',
      'Authored: Mar 4, 2024',
    ]);
  });

  it('Consent: decision, organizations, purpose, period', () => {
    const s = summarize(
      {
        resourceType: 'Consent',
        status: 'active',
        scope: { text: 'Privacy consent' },
        category: [{ text: 'Information sharing' }],
        patient: subject,
        dateTime: '2024-05-01',
        organization: [{ reference: 'Organization/o1' }],
        provision: {
          type: 'permit',
          purpose: [{ code: 'TREAT', display: 'treatment' }],
          period: { start: '2024-05-01', end: '2025-05-01' },
        },
      },
      ctx,
    );
    expect(s.title).toBe('Information sharing');
    expect(lines(s)).toEqual([
      'Decision: Permit',
      'Organizations: Fresno County Behavioral Health',
      'Purpose: treatment',
      'Period: May 1, 2024 – May 1, 2025',
      'Date: May 1, 2024',
    ]);
  });

  it('other listed types get their key facts', () => {
    const cases: [Resource, string, string][] = [
      [
        {
          resourceType: 'Coverage',
          status: 'active',
          beneficiary: subject,
          payor: [{ display: 'Medi-Cal' }],
          subscriberId: '9123',
        },
        'Medi-Cal',
        'Member ID: 9123',
      ],
      [
        {
          resourceType: 'CarePlan',
          status: 'active',
          intent: 'plan',
          subject,
          title: 'Housing stability plan',
          activity: [{ detail: { status: 'scheduled', code: { text: 'Apply for housing voucher' } } }],
        },
        'Housing stability plan',
        'Activities: Apply for housing voucher',
      ],
      [
        {
          resourceType: 'Goal',
          lifecycleStatus: 'active',
          subject,
          description: { text: 'Stable housing within 6 months' },
          target: [{ dueDate: '2024-12-31' }],
        },
        'Stable housing within 6 months',
        'Due: Dec 31, 2024',
      ],
      [
        {
          resourceType: 'CareTeam',
          status: 'active',
          subject,
          name: 'ECM team',
          participant: [{ member: { reference: 'Practitioner/pr1' }, role: [{ text: 'Care manager' }] }],
        },
        'ECM team',
        'Members: Ana Ruiz (Care manager)',
      ],
      [
        {
          resourceType: 'QuestionnaireResponse',
          status: 'completed',
          subject,
          questionnaire: 'http://example.org/Questionnaire/hunger-vital-sign',
          authored: '2024-04-02',
          item: [{ linkId: '1', answer: [{ valueBoolean: true }] }, { linkId: '2' }],
        },
        'http://example.org/Questionnaire/hunger-vital-sign',
        'Answers: 1',
      ],
      [
        {
          resourceType: 'Immunization',
          status: 'completed',
          patient: subject,
          vaccineCode: { text: 'Influenza, seasonal' },
          occurrenceDateTime: '2023-10-10',
        },
        'Influenza, seasonal',
        'Date: Oct 10, 2023',
      ],
      [
        {
          resourceType: 'MedicationRequest',
          status: 'active',
          intent: 'order',
          subject,
          medicationCodeableConcept: { text: 'Lisinopril 10 mg tablet' },
          dosageInstruction: [{ text: 'One tablet daily' }],
        },
        'Lisinopril 10 mg tablet',
        'Dosage: One tablet daily',
      ],
      [
        {
          resourceType: 'AllergyIntolerance',
          patient: subject,
          code: { text: 'Peanut' },
          clinicalStatus: { coding: [{ code: 'active' }] },
          criticality: 'high',
          reaction: [{ manifestation: [{ text: 'Hives' }] }],
        },
        'Peanut',
        'Reactions: Hives',
      ],
      [
        {
          resourceType: 'DocumentReference',
          status: 'current',
          subject,
          type: { text: 'Discharge summary' },
          date: '2024-01-05T09:00:00Z',
          content: [{ attachment: { contentType: 'application/pdf', title: 'discharge.pdf' } }],
        },
        'Discharge summary',
        'Content: discharge.pdf, application/pdf',
      ],
    ];
    for (const [resource, title, line] of cases) {
      const s = summarize(resource, ctx);
      expect(s.title, resource.resourceType).toBe(title);
      expect(lines(s), resource.resourceType).toContain(line);
    }
  });

  it('names a questionnaire from what the page loaded', () => {
    const url = 'http://example.org/Questionnaire/hunger-vital-sign';
    const s = summarize(
      { resourceType: 'QuestionnaireResponse', status: 'completed', questionnaire: url },
      { nameOf: (k) => (k === url ? 'Hunger Vital Sign' : undefined) },
    );
    expect(s.title).toBe('Hunger Vital Sign');
  });

  it('falls back to common fields for other types, and to the type name', () => {
    const claim = summarize({
      resourceType: 'Claim',
      status: 'active',
      use: 'claim',
      type: { coding: [{ display: 'Institutional' }] },
      patient: subject,
      created: '2024-01-02',
      provider: { display: 'Westside Clinic' },
      priority: { text: 'normal' },
      insurance: [],
    });
    expect(claim.title).toBe('Institutional');
    expect(lines(claim)).toEqual(['Date: Jan 2, 2024', 'Provider: Westside Clinic']);
    expect(summarize({ resourceType: 'Basic', code: {} }).title).toBe('Basic');
    expect(
      summarize({ resourceType: 'Provenance', target: [], recorded: '2024-01-01', agent: [] }).title,
    ).toBe('Provenance');
  });

  it('shows sensitivity labels but not ordinary confidentiality', () => {
    const s = summarize({
      resourceType: 'Condition',
      subject,
      code: { text: 'Depression' },
      meta: {
        security: [
          { code: 'N', display: 'normal' },
          { code: 'R', display: 'restricted' },
          { code: 'PSY', display: 'psychiatry information sensitivity' },
        ],
      },
    });
    expect(s.labels).toEqual(['restricted', 'psychiatry information sensitivity']);
  });

  it('never leaves an empty detail', () => {
    const s = summarize({ resourceType: 'Encounter', status: 'planned', class: { code: 'ZZZ' }, type: [] });
    expect(s.title).toBe('ZZZ encounter');
    expect(s.details.every((d) => d.value.trim())).toBe(true);
  });
});

describe('groupResources', () => {
  it('groups by type in a fixed order, newest first, unknown types last', () => {
    const groups = groupResources([
      {
        resourceType: 'Claim',
        status: 'active',
        use: 'claim',
        patient: subject,
        created: '2024-01-01',
      } as Resource,
      {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'Old' },
        effectiveDateTime: '2020-01-01',
      },
      { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' } },
      {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'New' },
        effectiveDateTime: '2024-01-01',
      },
      { resourceType: 'Observation', status: 'final', code: { text: 'Undated' } },
      { resourceType: 'Provenance', target: [], recorded: '2024-01-01T00:00:00Z', agent: [] },
    ]);
    expect(groups.map((g) => g.label)).toEqual(['Encounters', 'Observations', 'Claims', 'Provenance']);
    expect(groups[1].items.map((i) => i.summary.title)).toEqual(['New', 'Old', 'Undated']);
  });
});
