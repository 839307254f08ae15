import type { Task } from '@medplum/fhirtypes';
import {
  BUSINESS_STATUS_SYSTEM,
  BUSINESS_STATUSES,
  allowedNext,
  type Party,
  type ReferralStatus,
} from '../../../src/referrals/workflow/state-machine';

/**
 * The referral rules the screens offer, read from the server's own state machine (one source of
 * truth): the buttons shown are the moves the server allows; it still judges each one.
 */
export { allowedNext, BUSINESS_STATUSES, type Party, type ReferralStatus };

export const REFERRAL_STATUS_ORDER: ReferralStatus[] = [
  'draft',
  'requested',
  'accepted',
  'in-progress',
  'on-hold',
  'completed',
  'rejected',
  'failed',
  'cancelled',
  'entered-in-error',
];

/** Which side of the referral the acting organization is on (as the server judges it from the stored Task). */
export function partyFor(task: Task, org: string | undefined): Party {
  if (!org) return 'third-party';
  const req = task.requester?.reference === org;
  const own = task.owner?.reference === org;
  return req && own ? 'both' : req ? 'requester' : own ? 'owner' : 'third-party';
}

/** Business statuses (the finer states people use) that fit a status. */
export function businessStatusesFor(status: ReferralStatus): { code: string; display: string }[] {
  return Object.entries(BUSINESS_STATUSES)
    .filter(([, d]) => d.statuses.includes(status))
    .map(([code, d]) => ({ code, display: d.display }));
}

export interface TaskChange {
  status: ReferralStatus;
  /** Required for rejected; kept as the reason for others. */
  reason?: string;
  businessStatus?: string;
  /** For completed: what was done, recorded as a Procedure the Task's output points to. */
  outcome?: string;
  note?: string;
}

/** The Task after a change, as the sender's or receiver's update (the server stamps lastModified). */
export function changedTask(task: Task, change: TaskChange, outputRef?: string, author?: string): Task {
  const next: Task = { ...task, status: change.status };
  if (change.reason) next.statusReason = { text: change.reason };
  else delete next.statusReason;
  if (change.businessStatus) {
    const def = BUSINESS_STATUSES[change.businessStatus];
    next.businessStatus = {
      coding: [{ system: BUSINESS_STATUS_SYSTEM, code: change.businessStatus, display: def?.display }],
      text: def?.display,
    };
  } else delete next.businessStatus;
  if (outputRef)
    next.output = [
      ...(task.output ?? []),
      {
        type: {
          coding: [
            {
              system: 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes',
              code: 'resulting-activity',
              display: 'Resulting Activity',
            },
          ],
        },
        valueReference: { reference: outputRef, display: change.outcome },
      },
    ];
  if (change.note)
    next.note = [
      ...(task.note ?? []),
      { text: change.note, time: new Date().toISOString(), ...(author ? { authorString: author } : {}) },
    ];
  return next;
}
