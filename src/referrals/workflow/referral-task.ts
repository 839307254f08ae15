import type { Task } from '@medplum/fhirtypes';

/**
 * A referral Task: intent `order`, `focus` a ServiceRequest, code `fulfill` (or none), owned by an
 * organization or practitioner (a Task owned by the patient is a patient task, not a referral).
 */
export function isReferralTask(task: Task | undefined): task is Task {
  if (!task || task.resourceType !== 'Task' || task.intent !== 'order') return false;
  const focus = task.focus?.reference ?? '';
  if (!/(^|\/)ServiceRequest\/[^/]+$/.test(focus)) return false;
  const codes = task.code?.coding?.map((c) => c.code) ?? [];
  if (codes.length && !codes.includes('fulfill')) return false;
  const owner = task.owner?.reference ?? '';
  return !/(^|\/)(Patient|RelatedPerson)\//.test(owner);
}

/** Does the Task record an outcome: a Procedure it led to, or a coded result? */
export function hasOutcome(task: Task): boolean {
  return (task.output ?? []).some(
    (o) => /(^|\/)Procedure\/[^/]+$/.test(o.valueReference?.reference ?? '') || !!o.valueCodeableConcept,
  );
}

export function hasReason(task: Task): boolean {
  return !!(task.statusReason?.text || task.statusReason?.coding?.length);
}
