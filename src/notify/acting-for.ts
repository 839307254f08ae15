import type { Caller } from '../privacy/caller';
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
    // The caller's role and the same Practitioner's other roles, in one statement (this runs on
    // every referral Task write): the role row, and beside it the others found through the
    // practitioner reference index.
    const { rows } = await store.unguarded().queryable.query<{
      practitioner: string | null;
      organization: string | null;
      others: { id: string; organization: string | null; active: string | null }[] | string | null;
    }>(
      `select c.content->'practitioner'->>'reference' as practitioner,
         c.content->'organization'->>'reference' as organization,
         (select coalesce(json_agg(json_build_object('id', o.id, 'organization', o.content->'organization'->>'reference',
                   'active', o.content->>'active') order by o.id), '[]'::json)
            from fhir_resources o
            where o.resource_type = 'PractitionerRole' and not o.deleted and o.id in (
              select x.id from sp_reference x
              where x.resource_type = 'PractitionerRole' and x.code = 'practitioner' and x.target_type = 'Practitioner'
                and x.target_id = substring(c.content->'practitioner'->>'reference' from '(?:^|/)Practitioner/([^/]+)$')
              limit 50)) as others
       from fhir_resources c
       where c.resource_type = 'PractitionerRole' and c.id = $1 and not c.deleted`,
      [roleId],
    );
    const role = rows[0];
    if (role) {
      add(organizations, bareId(role.organization ?? undefined, 'Organization'));
      const practitioner = bareId(role.practitioner ?? undefined, 'Practitioner');
      if (practitioner) {
        add(people, `Practitioner/${practitioner}`);
        const others = typeof role.others === 'string' ? JSON.parse(role.others) : (role.others ?? []);
        for (const r of others as { id: string; organization: string | null; active: string | null }[]) {
          if (r.active === 'false') continue;
          add(people, `PractitionerRole/${r.id}`);
          add(organizations, bareId(r.organization ?? undefined, 'Organization'));
        }
      }
    }
  }
  return { any: isSystemOrAdministrator(caller), organizations, people };
}

/** May this caller read (and mark read) the inbox of `recipient` (`Organization/1`, `PractitionerRole/2`)? */
export function mayActAs(acting: ActingFor, recipient: string): boolean {
  if (acting.any) return true;
  const org = bareId(recipient, 'Organization');
  if (org) return acting.organizations.includes(org);
  return acting.people.includes(recipient);
}
