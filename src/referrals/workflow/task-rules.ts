import type { Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { FhirError } from '../../fhir/errors';
import type { FhirStore } from '../../store';
import { partyOf, rememberParties, taskParties } from './parties';
import { rideFocusRequest } from './referral-index';
import { hasOutcome, hasReason, isReferralTask } from './referral-task';
import {
  BUSINESS_STATUS_SYSTEM,
  BUSINESS_STATUSES,
  REFERRAL_STATUSES,
  RULES_VERSION,
  allowedNext,
  isReferralStatus,
  mayBeSetBy,
  type Party,
  type ReferralStatus,
} from './state-machine';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function refuse(code: 'invalid_value' | 'forbidden', text: string, expression = 'Task.status'): never {
  throw new FhirError(code, `${text} (${RULES_VERSION})`, expression);
}

const label = (s: ReferralStatus | null): string => (s === null ? '(new)' : s);
const partyName = (p: Party): string =>
  p === 'requester'
    ? 'the requesting organization'
    : p === 'owner'
      ? 'the receiving organization'
      : p === 'third-party'
        ? 'an organization that is neither requester nor owner'
        : p;

/**
 * Before-write hook: enforces the referral state machine on referral Tasks (who may set which
 * status, which transitions exist, reason and outcome requirements), and that a filler-order
 * ServiceRequest says what it is based on. Sets Task.lastModified on each status change.
 */
export async function enforceReferralRules(
  store: FhirStore,
  resource: Resource,
  previous: Resource | undefined,
): Promise<Resource> {
  if (resource.resourceType === 'ServiceRequest') {
    const sr = resource as ServiceRequest;
    if (sr.intent === 'filler-order' && !sr.basedOn?.length)
      refuse(
        'invalid_value',
        'A filler-order ServiceRequest must name the request it fulfils in basedOn',
        'ServiceRequest.basedOn',
      );
    return resource;
  }
  if (resource.resourceType !== 'Task') return resource;
  const task = resource as Task;
  const prev = previous as Task | undefined;
  const wasReferral = isReferralTask(prev);
  if (!isReferralTask(task) && !wasReferral) return resource;
  if (wasReferral) {
    for (const f of ['intent', 'focus', 'for', 'requester'] as const) {
      if (!same(stripDisplay(task[f]), stripDisplay(prev?.[f])))
        refuse('invalid_value', `Task.${f} of a referral cannot change once it is sent`, `Task.${f}`);
    }
  }
  if (!task.requester) refuse('invalid_value', 'A referral Task needs a requester', 'Task.requester');
  if (!task.for) refuse('invalid_value', 'A referral Task needs the person it is for (Task.for)', 'Task.for');
  const to = task.status;
  if (!isReferralStatus(to))
    refuse(
      'invalid_value',
      `'${to}' is not a referral status (draft, requested, accepted, rejected, in-progress, on-hold, failed, completed, cancelled, entered-in-error)`,
    );
  // Parties are judged on the stored Task, so nobody gains a role by rewriting requester or owner.
  const basis = prev && wasReferral ? prev : task;
  const parties = await taskParties(store, basis);
  const party = partyOf(store.caller, basis, parties);
  const from: ReferralStatus | null =
    prev && wasReferral && isReferralStatus(prev.status) ? prev.status : null;
  if (party === 'third-party')
    refuse(
      'forbidden',
      `Only the requesting or the receiving organization may ${from === null ? 'send' : 'update'} this referral`,
    );
  if (from !== to) {
    // The system (imports, integrations) may record a referral in any state it arrives in.
    const systemCreate = party === 'system' && from === null;
    if (!systemCreate && !REFERRAL_STATUSES[to].from.includes(from)) {
      const options = allowedNext(from, party);
      refuse(
        'invalid_value',
        `A referral cannot go from ${label(from)} to ${to}` +
          (options.length
            ? `; from ${label(from)} ${partyName(party)} may set: ${options.join(', ')}`
            : '; it is closed'),
      );
    }
    if (!mayBeSetBy(to, party)) {
      const setBy = REFERRAL_STATUSES[to].setBy;
      refuse(
        'forbidden',
        `${label(from)} → ${to}: only ${setBy === 'owner' ? 'the receiving organization (owner)' : 'the requesting organization'} may set '${to}'; the caller is ${partyName(party)}`,
      );
    }
  }
  const rule = REFERRAL_STATUSES[to];
  if (rule.needsReason && !hasReason(task))
    refuse(
      'invalid_value',
      `${label(from)} → ${to} needs a reason in Task.statusReason`,
      'Task.statusReason',
    );
  if (rule.needsOutcome && !hasOutcome(task))
    refuse(
      'invalid_value',
      `${label(from)} → ${to} needs the outcome in Task.output: a reference to the Procedure done, or a coded result`,
      'Task.output',
    );
  if (
    prev &&
    wasReferral &&
    !same(stripDisplay(task.owner), stripDisplay(prev.owner)) &&
    from !== 'draft' &&
    party !== 'system'
  )
    refuse(
      'invalid_value',
      'The receiving organization (Task.owner) can change only while the referral is a draft; forward it instead ($forward)',
      'Task.owner',
    );
  checkBusinessStatus(task, to);
  // The referral index after the write needs these parties and the focus ServiceRequest: the
  // parties are kept for it, the ServiceRequest is read in the Task's own write statement.
  rememberParties(store, basis, parties);
  rideFocusRequest(store, task);
  if (task.partOf?.length) await checkParent(store, task);
  // A status change by an update stamps Task.lastModified (unless the writer set it); a create is stored as sent.
  const changed = !!prev && (from !== to || !same(task.businessStatus, prev.businessStatus));
  const now = new Date().toISOString();
  if (
    changed &&
    (!task.lastModified || task.lastModified === prev?.lastModified) &&
    !(task.authoredOn && task.authoredOn > now)
  )
    return { ...task, lastModified: now };
  return task;
}

function stripDisplay(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(stripDisplay);
  const { display: _d, ...rest } = v as Record<string, unknown>;
  return rest;
}

function checkBusinessStatus(task: Task, status: ReferralStatus): void {
  for (const c of task.businessStatus?.coding ?? []) {
    if (c.system !== BUSINESS_STATUS_SYSTEM) continue;
    const def = c.code ? BUSINESS_STATUSES[c.code] : undefined;
    if (!def)
      refuse(
        'invalid_value',
        `'${c.code}' is not a referral business status (${Object.keys(BUSINESS_STATUSES).join(', ')})`,
        'Task.businessStatus',
      );
    if (!def.statuses.includes(status))
      refuse(
        'invalid_value',
        `Business status '${def.display}' does not fit status '${status}' (it fits ${def.statuses.join(', ')})`,
        'Task.businessStatus',
      );
  }
}

async function checkParent(store: FhirStore, task: Task): Promise<void> {
  for (const p of task.partOf ?? []) {
    const m = /(?:^|\/)Task\/([^/]+)$/.exec(p.reference ?? '');
    if (!m) continue;
    const parent = await store.readIfExists('Task', m[1]);
    if (!parent)
      refuse('invalid_value', `Task.partOf names Task/${m[1]}, which does not exist`, 'Task.partOf');
  }
}
