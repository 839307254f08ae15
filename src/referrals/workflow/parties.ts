import type { Reference, Task } from '@medplum/fhirtypes';
import type { Caller } from '../../privacy/caller';
import { actingFor, isSystemOrAdministrator } from '../../notify/acting-for';
import { splitReference, type FhirStore } from '../../store';
import type { Party } from './state-machine';

/** The Organization id a reference stands for: itself, or a PractitionerRole's organization. */
export async function organizationOf(
  store: FhirStore,
  ref: Reference | undefined,
): Promise<string | undefined> {
  if (!ref?.reference) return undefined;
  const { type, id } = splitReference(ref.reference);
  if (!type || !id) return undefined;
  if (type === 'Organization') return id;
  if (type === 'PractitionerRole') {
    const role = await store.readIfExists('PractitionerRole', id);
    const org = role ? (JSON.parse(role.json).organization as Reference | undefined) : undefined;
    const o = org?.reference ? splitReference(org.reference) : undefined;
    return o?.type === 'Organization' ? (o.id ?? undefined) : undefined;
  }
  return undefined;
}

/** The system itself, or an administrator (who may do everything, audited): not bound to a party's moves. */
export function isSystemCaller(caller: Caller | undefined): boolean {
  return isSystemOrAdministrator(caller);
}

export function callerOrganization(caller: Caller | undefined): string | undefined {
  return caller?.organization?.id?.replace(/^Organization\//, '');
}

/**
 * Does the caller act for this reference: one of its organizations (the signed-in user's, and those
 * of the same person's other PractitionerRoles), or the very PractitionerRole?
 */
function actsFor(
  caller: Caller,
  ref: Reference | undefined,
  org: string | undefined,
  callerOrgs: string[] | undefined,
): boolean {
  const mine = callerOrgs ?? [callerOrganization(caller)];
  if (org && mine.includes(org)) return true;
  const role = caller.practitionerRole?.replace(/^.*\/(PractitionerRole\/)/, '$1');
  return !!role && !!ref?.reference && ref.reference.endsWith(role);
}

export interface TaskParties {
  requesterOrg?: string;
  ownerOrg?: string;
  /** The organizations the store's caller acts for (from its verified identity). */
  callerOrgs?: string[];
}

export async function taskParties(store: FhirStore, task: Task): Promise<TaskParties> {
  return {
    requesterOrg: await organizationOf(store, task.requester),
    ownerOrg: await organizationOf(store, task.owner),
    ...(isSystemCaller(store.caller)
      ? {}
      : { callerOrgs: (await actingFor(store, store.caller)).organizations }),
  };
}

/** Which side of the referral the caller is on. The system (imports, pipelines) is trusted. */
export function partyOf(caller: Caller | undefined, task: Task, parties: TaskParties): Party {
  if (isSystemCaller(caller)) return 'system';
  const c = caller as Caller;
  const req = actsFor(c, task.requester, parties.requesterOrg, parties.callerOrgs);
  const own = actsFor(c, task.owner, parties.ownerOrg, parties.callerOrgs);
  if (req && own) return 'both';
  if (req) return 'requester';
  if (own) return 'owner';
  return 'third-party';
}

/**
 * What the state machine's check found before a referral Task write, kept for the after-write hooks
 * of the same write: the caller's organizations do not change between the check and the index (same
 * transaction, same caller), so the referral index reuses them instead of reading the caller's
 * PractitionerRoles again. Keyed by the transaction's connection, so nothing outlives it or crosses
 * into another transaction; an entry is used only for the same caller object and the same Task.
 */
interface Judged {
  caller: Caller | undefined;
  requester?: string;
  owner?: string;
  parties: TaskParties;
}
const judgedInTx = new WeakMap<object, Map<string, Judged>>();

/** Remembers the parties the before-write check judged `task` (by its stored requester and owner) with. */
export function rememberParties(store: FhirStore, task: Task, parties: TaskParties): void {
  if (!store.inTx || !task.id) return;
  const conn = store.queryable as object;
  let judged = judgedInTx.get(conn);
  if (!judged) judgedInTx.set(conn, (judged = new Map()));
  judged.set(task.id, {
    caller: store.caller,
    requester: task.requester?.reference,
    owner: task.owner?.reference,
    parties,
  });
}

/**
 * The parties of `task` as written, for an after-write hook: the before-write check's (the caller's
 * organizations, the requester's, and the owner's unless the write changed the owner) when this
 * transaction judged this Task for this caller, else read afresh (`taskParties`).
 */
export async function partiesAfterWrite(store: FhirStore, task: Task): Promise<TaskParties> {
  const judged = store.inTx && task.id ? judgedInTx.get(store.queryable as object)?.get(task.id) : undefined;
  if (!judged || judged.caller !== store.caller || judged.requester !== task.requester?.reference)
    return taskParties(store, task);
  judgedInTx.get(store.queryable as object)?.delete(task.id as string);
  return {
    ...judged.parties,
    ownerOrg:
      judged.owner === task.owner?.reference
        ? judged.parties.ownerOrg
        : await organizationOf(store, task.owner),
  };
}
