import type { Consent, ServiceRequest, Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { createdTaskId, referralTransaction, type ReferralDraft } from './referral-bundle';
import { changedTask } from './workflow';

const draft: ReferralDraft = {
  patient: 'Patient/p1',
  patientName: 'Rosa Delgado',
  service: {
    resourceType: 'HealthcareService',
    id: 's1',
    name: 'Food Pantry',
    type: [{ coding: [{ system: 'x', code: 'FP' }] }],
  },
  owner: { reference: 'Organization/food', display: 'Food Bank' },
  requester: { reference: 'Organization/county', display: 'County' },
  category: 'food-insecurity',
  reason: 'Ran out of food',
  consent: true,
};

describe('a referral as sent', () => {
  it('is one transaction: consent limited to the referral, ServiceRequest and Task per Gravity', () => {
    const b = referralTransaction(draft, new Date('2026-01-02T03:04:05Z'));
    expect(b.type).toBe('transaction');
    const [consent, sr, task] = (b.entry ?? []).map((e) => e.resource) as [Consent, ServiceRequest, Task];
    expect(consent.provision?.actor?.[0].reference).toEqual(draft.owner);
    expect(consent.provision?.data?.map((d) => d.reference.reference)).toEqual([
      b.entry![1].fullUrl,
      b.entry![2].fullUrl,
    ]);
    expect(consent.provision?.period).toEqual({ start: '2026-01-02', end: '2027-01-02' });
    expect(sr).toMatchObject({
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/p1' },
      code: { coding: [{ system: 'x', code: 'FP' }], text: 'Food Pantry' },
      reasonCode: [{ text: 'Ran out of food' }],
      supportingInfo: [{ reference: b.entry![0].fullUrl }],
    });
    expect(sr.category?.[0].coding?.[0].code).toBe('food-insecurity');
    expect(task).toMatchObject({
      status: 'requested',
      intent: 'order',
      focus: { reference: b.entry![1].fullUrl },
      for: { reference: 'Patient/p1', display: 'Rosa Delgado' },
      requester: draft.requester,
      owner: draft.owner,
      authoredOn: '2026-01-02T03:04:05.000Z',
    });
    expect(task.code?.coding?.[0].code).toBe('fulfill');
    expect(
      createdTaskId(
        {
          resourceType: 'Bundle',
          type: 'transaction-response',
          entry: [{}, {}, { response: { status: '201', location: 'Task/t9/_history/1' } }],
        },
        draft,
      ),
    ).toBe('t9');
  });

  it('names the health concerns it is for, and shares those with the receiver and nothing else', () => {
    const reasons = [{ reference: 'Condition/c1', display: 'Food insecurity' }];
    const b = referralTransaction({ ...draft, reason: '', reasons });
    const [consent, sr] = (b.entry ?? []).map((e) => e.resource) as [Consent, ServiceRequest];
    expect(sr.reasonReference).toEqual(reasons);
    expect(sr.reasonCode).toBeUndefined();
    expect(consent.provision?.data?.map((d) => d.reference.reference)).toEqual([
      b.entry![1].fullUrl,
      b.entry![2].fullUrl,
      'Condition/c1',
    ]);
  });

  it('without consent sends no Consent and no supporting information', () => {
    const b = referralTransaction({ ...draft, consent: false });
    expect(b.entry?.map((e) => e.resource?.resourceType)).toEqual(['ServiceRequest', 'Task']);
    expect((b.entry?.[0].resource as ServiceRequest).supportingInfo).toBeUndefined();
  });
});

describe('a status change', () => {
  const task: Task = {
    resourceType: 'Task',
    id: 't',
    status: 'accepted',
    intent: 'order',
    statusReason: { text: 'old' },
  };
  it('completes with the outcome as a resulting-activity output and a fitting business status', () => {
    const next = changedTask(
      task,
      { status: 'completed', businessStatus: 'got-help', outcome: 'Food box' },
      'urn:uuid:p',
    );
    expect(next.status).toBe('completed');
    expect(next.statusReason).toBeUndefined();
    expect(next.businessStatus?.coding?.[0]).toMatchObject({ code: 'got-help', display: 'Got help' });
    expect(next.output?.[0].valueReference).toEqual({ reference: 'urn:uuid:p', display: 'Food box' });
  });
  it('rejects with the reason, and adds a note with its author', () => {
    const next = changedTask(
      { ...task, status: 'requested' },
      { status: 'rejected', reason: 'Out of area', note: 'Call 211' },
      undefined,
      'Food Bank',
    );
    expect(next.statusReason).toEqual({ text: 'Out of area' });
    expect(next.note?.[0]).toMatchObject({ text: 'Call 211', authorString: 'Food Bank' });
    expect(next.output).toBeUndefined();
  });
});
