import type { PractitionerRole, Reference } from '@medplum/fhirtypes';
import type { Caller } from '../privacy/caller';
import { FhirService } from '../fhir/service';
import type { FhirStore } from '../store';

/**
 * Whom a caller acts for: the organizations whose referrals they work and whose inbox they read.
 * Built only from the verified caller (its organization and PractitionerRole) and the stored
 * PractitionerRoles of the same Practitioner, never from a value the client sends: a person with
 * roles in several organizations acts for each of them. The system and administrators act for anyone.
 */
export interface ActingFor {
  /** True for the system and administrators: any organization. */
  any: boolean;
  /** Bare Organization ids, the caller's own organization first. */
  organizations: string[];
  /** `Practitioner/..` and `PractitionerRole/..` references the caller is. */
  people: string[];
}

export function isSystemOrAdministrator(caller: Caller | undefined): boolean {
  return !caller || caller.subject === 'kith-system' || caller.roles.includes('administrator');
}

const bareId = (ref: string | undefined, type: string): string | undefined => {
  const m = ref ? new RegExp(`(?:^|/)${type}/([^/]+)$`).exec(ref) : null;
  return m?.[1];
};

export async function actingFor(store: FhirStore, caller: Caller | undefined): Promise<ActingFor> {
  const organizations: string[] = [];
  const people: string[] = [];
  const add = (list: string[], v: string | undefined) => {
    if (v && !list.includes(v)) list.push(v);
  };
  add(organizations, bareId(caller?.organization?.id, 'Organization') ?? caller?.organization?.id);
  const roleId = bareId(caller?.practitionerRole, 'PractitionerRole');
  if (roleId) {
    add(people, `PractitionerRole/${roleId}`);
    const system = store.unguarded();
    const stored = await system.readIfExists('PractitionerRole', roleId);
    const role = stored && !stored.deleted ? (JSON.parse(stored.json) as PractitionerRole) : undefined;
    const practitioner = bareId(role?.practitioner?.reference, 'Practitioner');
    if (role) add(organizations, orgOf(role.organization));
    if (practitioner) {
      add(people, `Practitioner/${practitioner}`);
      // The same person's other roles (one per organization they work for).
      const others = await new FhirService(system).conditionalMatches(
        'PractitionerRole',
        `practitioner=Practitioner/${practitioner}`,
        50,
      );
      for (const v of others) {
        const r = JSON.parse(v.json) as PractitionerRole;
        if (r.active === false) continue;
        add(people, `PractitionerRole/${r.id}`);
        add(organizations, orgOf(r.organization));
      }
    }
  }
  return { any: isSystemOrAdministrator(caller), organizations, people };
}

function orgOf(ref: Reference | undefined): string | undefined {
  return bareId(ref?.reference, 'Organization');
}

/** May this caller read (and mark read) the inbox of `recipient` (`Organization/1`, `PractitionerRole/2`)? */
export function mayActAs(acting: ActingFor, recipient: string): boolean {
  if (acting.any) return true;
  const org = bareId(recipient, 'Organization');
  if (org) return acting.organizations.includes(org);
  return acting.people.includes(recipient);
}
