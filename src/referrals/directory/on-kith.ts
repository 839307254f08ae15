import type { HealthcareService, Organization, PractitionerRole, Resource } from '@medplum/fhirtypes';
import type { FhirService } from '../../fhir/service';
import type { FhirStore, Queryable, WriteResult } from '../../store';
import { EXT_ACCEPTS_REFERRALS } from './extensions';

/**
 * Does this Organization work on Kith, so its services can receive electronic referrals? It does
 * when people work for it here (an active PractitionerRole names it, or an active sign-in account
 * belongs to it) or it has an Endpoint. The directory keeps this current (see `indexOrganizationOnKith`
 * and `effectiveAcceptsSql`); this reads it for one organization.
 */
export async function organizationOnKith(svc: FhirService, organizationId: string): Promise<boolean> {
  const { rows } = await svc.store.queryable.query(
    `select ${orgOnKithFhirSql('$1')} or exists (select 1 from auth_users u where u.organization_id = $1 and not u.disabled) as on_kith`,
    [organizationId],
  );
  return rows[0]?.on_kith === true;
}

/**
 * SQL: is the Organization whose bare id is `org` (an SQL expression) on Kith by its FHIR data — an
 * active PractitionerRole names it, or it has an Endpoint? Two index probes.
 */
export function orgOnKithFhirSql(org: string): string {
  // Aliases are prefixed so they never capture a column of the statement this is put into.
  return `(exists (select 1 from sp_reference ok_r
      join fhir_resources ok_p on ok_p.resource_type = 'PractitionerRole' and ok_p.id = ok_r.id and not ok_p.deleted
      where ok_r.target_id = ${org} and ok_r.target_type = 'Organization' and ok_r.resource_type = 'PractitionerRole'
        and ok_r.code = 'organization' and coalesce(ok_p.content->>'active', 'true') <> 'false')
    or exists (select 1 from fhir_resources ok_o where ok_o.resource_type = 'Organization' and ok_o.id = ${org}
        and not ok_o.deleted and ok_o.content ? 'endpoint'))`;
}

/**
 * SQL over a `directory_service` row (alias `s`): does the service take electronic referrals now?
 * The stored flag (the HSDS data said so, Kith staff set it, or the service has its own Endpoint), or
 * its organization works on Kith: by FHIR data (`org_on_kith`, kept by write hooks) or by an active
 * sign-in account (read per query: one uncorrelated scan of the small accounts table).
 */
export function effectiveAcceptsSql(s = 's'): string {
  return `(${s}.accepts_referrals or ${s}.org_on_kith or ${s}.organization in (
    select 'Organization/' || u.organization_id from auth_users u
    where not u.disabled and u.organization_id is not null))`;
}

const bareOrg = (ref: string | undefined): string | undefined =>
  /^Organization\/([^/]+)$/.exec(ref ?? '')?.[1];

/** Recomputes `directory_service.org_on_kith` for the services of these organizations (bare ids). */
export async function refreshOrganizationsOnKith(db: Queryable, orgIds: string[]): Promise<void> {
  const ids = [...new Set(orgIds.filter(Boolean))];
  if (!ids.length) return;
  await db.query(
    `update directory_service d set org_on_kith = x.on_kith
     from (select o.id, ${orgOnKithFhirSql('o.id')} as on_kith from unnest($1::text[]) as o(id)) x
     where d.organization = 'Organization/' || x.id and d.org_on_kith <> x.on_kith`,
    [ids],
  );
}

/** Every organization of the directory at once (on start: repairs rows written before the hooks). */
export async function refreshAllOnKith(db: Queryable): Promise<void> {
  await db.query(
    `update directory_service d set org_on_kith = x.on_kith
     from (select o.organization, ${orgOnKithFhirSql('substr(o.organization, 14)')} as on_kith
           from (select distinct organization from directory_service where organization like 'Organization/%') o) x
     where d.organization = x.organization and d.org_on_kith <> x.on_kith`,
  );
}

function organizationsAffected(resource: Resource | undefined): string | undefined {
  if (resource?.resourceType === 'PractitionerRole')
    return bareOrg((resource as PractitionerRole).organization?.reference);
  if (resource?.resourceType === 'Organization') return resource.id;
  return undefined;
}

const hasEndpoint = (r: Resource | undefined): boolean => !!(r as Organization | undefined)?.endpoint?.length;

/**
 * After-write hook: a PractitionerRole (its organization, before and after) or an Organization whose
 * endpoints came or went changes whether that organization's services take electronic referrals.
 */
export async function indexOrganizationOnKith(
  store: FhirStore,
  result: WriteResult,
  previous: Resource | undefined,
): Promise<void> {
  const r = result.resource;
  if (r.resourceType === 'Organization') {
    if (!result.created && hasEndpoint(r) === hasEndpoint(previous)) return;
  } else if (r.resourceType === 'PractitionerRole') {
    const p = previous as PractitionerRole | undefined;
    const n = r as PractitionerRole;
    if (
      p &&
      p.organization?.reference === n.organization?.reference &&
      (p.active !== false) === (n.active !== false)
    )
      return;
  } else return;
  await refreshOrganizationsOnKith(
    store.queryable,
    [organizationsAffected(r), organizationsAffected(previous)].filter((x): x is string => !!x),
  );
}

/** After-delete hook: a deleted PractitionerRole or Organization may take its organization off Kith. */
export async function unindexOrganizationOnKith(store: FhirStore, previous: Resource): Promise<void> {
  const org = organizationsAffected(previous);
  if (org) await refreshOrganizationsOnKith(store.queryable, [org]);
}

/** A service with its accepts-electronic-referrals extension set to `accepts` (what the directory computed now). */
export function withAcceptsFlag(s: HealthcareService, accepts: boolean): HealthcareService {
  const current = s.extension?.find((e) => e.url === EXT_ACCEPTS_REFERRALS)?.valueBoolean === true;
  if (current === accepts) return s;
  const rest = (s.extension ?? []).filter((e) => e.url !== EXT_ACCEPTS_REFERRALS);
  const extension = accepts ? [...rest, { url: EXT_ACCEPTS_REFERRALS, valueBoolean: true }] : rest;
  return { ...s, extension: extension.length ? extension : undefined } as HealthcareService;
}
