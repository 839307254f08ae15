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
