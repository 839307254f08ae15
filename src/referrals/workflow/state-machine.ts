/**
 * The closed-loop referral state machine (HL7 Gravity SDOH Clinical Care, Task for referral
 * management), as data: which Task.status may follow which, who may set it, what it requires.
 * Versioned: every refusal names the rule version, and the status log records it.
 */
export const RULES_VERSION = 'kith-referral-rules/1';

export type ReferralStatus =
  | 'draft'
  | 'requested'
  | 'accepted'
  | 'rejected'
  | 'in-progress'
  | 'on-hold'
  | 'failed'
  | 'completed'
  | 'cancelled'
  | 'entered-in-error';

/** Who may set a status: the requesting organization, the receiving (owner) one, or either. */
export type Setter = 'requester' | 'owner' | 'either';
export type Party = 'requester' | 'owner' | 'both' | 'third-party' | 'system';

export interface StatusRule {
  setBy: Setter;
  /** No transition leaves a terminal status, except to entered-in-error (a record made by mistake). */
  terminal: boolean;
  /** Statuses this one may follow; `null` = may be the first status of a new referral. */
  from: (ReferralStatus | null)[];
  /** Task.statusReason is required. */
  needsReason?: boolean;
  /** Task.output is required: a Procedure reference or a coded outcome. */
  needsOutcome?: boolean;
}

const OPEN: ReferralStatus[] = ['requested', 'accepted', 'in-progress', 'on-hold'];

export const REFERRAL_STATUSES: Record<ReferralStatus, StatusRule> = {
  draft: { setBy: 'requester', terminal: false, from: [null] },
  requested: { setBy: 'requester', terminal: false, from: [null, 'draft'] },
  accepted: { setBy: 'owner', terminal: false, from: ['requested', 'on-hold'] },
  rejected: { setBy: 'owner', terminal: true, from: ['requested', 'on-hold'], needsReason: true },
  'in-progress': { setBy: 'owner', terminal: false, from: ['accepted', 'on-hold'] },
  'on-hold': { setBy: 'owner', terminal: false, from: ['requested', 'accepted', 'in-progress'] },
  failed: { setBy: 'owner', terminal: true, from: ['accepted', 'in-progress', 'on-hold'] },
  completed: {
    setBy: 'owner',
    terminal: true,
    from: ['accepted', 'in-progress', 'on-hold'],
    needsOutcome: true,
  },
  cancelled: { setBy: 'either', terminal: true, from: ['draft', ...OPEN] },
  'entered-in-error': {
    setBy: 'requester',
    terminal: true,
    from: ['draft', ...OPEN, 'rejected', 'failed', 'completed', 'cancelled'],
  },
};

export function isReferralStatus(s: unknown): s is ReferralStatus {
  return typeof s === 'string' && s in REFERRAL_STATUSES;
}

/** The statuses `party` may move a referral to from `from` (null: creating it). */
export function allowedNext(from: ReferralStatus | null, party: Party): ReferralStatus[] {
  return (Object.keys(REFERRAL_STATUSES) as ReferralStatus[]).filter(
    (to) => REFERRAL_STATUSES[to].from.includes(from) && mayBeSetBy(to, party),
  );
}

export function mayBeSetBy(status: ReferralStatus, party: Party): boolean {
  if (party === 'system' || party === 'both') return true;
  if (party === 'third-party') return false;
  const setBy = REFERRAL_STATUSES[status].setBy;
  return setBy === 'either' || setBy === party;
}

/** Finer states people use (Task.businessStatus), and the statuses each fits. */
export const BUSINESS_STATUS_SYSTEM = 'https://kith.example.org/fhir/CodeSystem/referral-business-status';

export const BUSINESS_STATUSES: Record<string, { display: string; statuses: ReferralStatus[] }> = {
  'not-updated': { display: 'Not updated', statuses: ['requested', 'accepted', 'in-progress', 'on-hold'] },
  pending: { display: 'Pending', statuses: ['draft', 'requested', 'accepted', 'in-progress', 'on-hold'] },
  'needs-client-action': { display: 'Needs client action', statuses: ['accepted', 'in-progress', 'on-hold'] },
  eligible: { display: 'Eligible', statuses: ['accepted', 'in-progress', 'on-hold', 'completed'] },
  'couldnt-contact': {
    display: "Couldn't contact",
    statuses: ['accepted', 'in-progress', 'on-hold', 'failed', 'rejected'],
  },
  'not-eligible': { display: 'Not eligible', statuses: ['rejected', 'failed', 'cancelled'] },
  'no-capacity': { display: 'No capacity', statuses: ['rejected', 'on-hold', 'failed'] },
  'client-declined': { display: 'Client declined', statuses: ['rejected', 'failed', 'cancelled'] },
  'no-longer-interested': { display: 'No longer interested', statuses: ['cancelled', 'failed'] },
  'referred-elsewhere': { display: 'Referred elsewhere', statuses: ['rejected', 'cancelled', 'completed'] },
  'got-help': { display: 'Got help', statuses: ['completed'] },
  'couldnt-get-help': { display: "Couldn't get help", statuses: ['failed'] },
};

/** Statuses that close the loop (for metrics and the sender's view). */
export const CLOSED: ReferralStatus[] = ['rejected', 'failed', 'completed', 'cancelled', 'entered-in-error'];
