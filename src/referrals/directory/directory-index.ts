import type { CodeableConcept, HealthcareService } from '@medplum/fhirtypes';
import { splitReference, type FhirStore, type WriteResult } from '../../store';
import { EXT_ACCEPTS_REFERRALS, EXT_ELIGIBLE_AGE } from './extensions';
import { openWeekLiteral } from './open-hours';
import { orgOnKithFhirSql } from './on-kith';

/** `system|code`, bare `code` and lower-cased text of each concept, for array matching. */
export function conceptKeys(concepts: CodeableConcept[] | undefined): string[] {
  const keys = new Set<string>();
  for (const c of concepts ?? []) {
    for (const coding of c.coding ?? []) {
      if (!coding.code) continue;
      keys.add(coding.code.toLowerCase());
      if (coding.system) keys.add(`${coding.system}|${coding.code}`.toLowerCase());
    }
    if (c.text) keys.add(c.text.toLowerCase());
  }
  return [...keys];
}

/** The service's own say: the flag (HSDS data, Kith staff), or an Endpoint of its own. */
export function acceptsReferrals(s: HealthcareService): boolean {
  return (
    s.extension?.find((e) => e.url === EXT_ACCEPTS_REFERRALS)?.valueBoolean === true || !!s.endpoint?.length
  );
}

export function eligibleAges(s: HealthcareService): { min: number | null; max: number | null } {
  const range = s.extension?.find((e) => e.url === EXT_ELIGIBLE_AGE)?.valueRange;
  return { min: range?.low?.value ?? null, max: range?.high?.value ?? null };
}

function searchText(s: HealthcareService): string {
  const concepts = [...(s.category ?? []), ...(s.type ?? []), ...(s.specialty ?? []), ...(s.program ?? [])];
  return [
    s.name,
    s.comment,
    s.extraDetails,
    ...concepts.flatMap((c) => [c.text, ...(c.coding ?? []).map((x) => x.display)]),
  ]
    .filter((x): x is string => typeof x === 'string' && x.length > 0)
    .join(' ')
    .slice(0, 100_000);
}

/** Keeps the `directory_service` row of a HealthcareService in step, in the write's transaction. */
export async function indexDirectoryService(store: FhirStore, result: WriteResult): Promise<void> {
  if (result.resource.resourceType !== 'HealthcareService') return;
  const s = result.resource as HealthcareService;
  const ages = eligibleAges(s);
  const db = store.queryable;
  await db.query(
    `insert into directory_service
       (id, active, name, organization, accepts_referrals, min_age, max_age, codes, languages, eligibility, programs, open_week, search, org_on_kith)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::int4multirange, to_tsvector('english', $13),
       coalesce($14::text is not null and ${orgOnKithFhirSql('$14::text')}, false))
     on conflict (id) do update set active = excluded.active, name = excluded.name,
       organization = excluded.organization, accepts_referrals = excluded.accepts_referrals,
       org_on_kith = excluded.org_on_kith,
       min_age = excluded.min_age, max_age = excluded.max_age, codes = excluded.codes,
       languages = excluded.languages, eligibility = excluded.eligibility, programs = excluded.programs,
       open_week = excluded.open_week, search = excluded.search`,
    [
      s.id,
      s.active !== false,
      s.name ?? '',
      s.providedBy?.reference ?? null,
      acceptsReferrals(s),
      ages.min,
      ages.max,
      conceptKeys([...(s.category ?? []), ...(s.type ?? []), ...(s.specialty ?? [])]),
      conceptKeys(s.communication),
      conceptKeys(s.eligibility?.map((e) => e.code).filter((c): c is CodeableConcept => !!c)),
      conceptKeys(s.program),
      openWeekLiteral(s.availableTime),
      searchText(s),
      /^Organization\/([^/]+)$/.exec(s.providedBy?.reference ?? '')?.[1] ?? null,
    ],
  );
  const locations = [
    ...new Set(
      (s.location ?? [])
        .map((r) => (r.reference ? splitReference(r.reference) : { type: null, id: null }))
        .filter((r) => r.type === 'Location' && r.id)
        .map((r) => r.id as string),
    ),
  ];
  if (!result.created) await db.query('delete from directory_service_location where service_id = $1', [s.id]);
  if (locations.length) {
    await db.query(
      `insert into directory_service_location (service_id, location_id)
       select $1, unnest($2::text[]) on conflict do nothing`,
      [s.id, locations],
    );
  }
}

/**
 * Fills the directory tables for Locations and HealthcareServices stored before they existed (or
 * written while the hooks were not installed). Cheap when nothing is missing.
 */
export async function reindexDirectory(store: FhirStore): Promise<number> {
  const db = store.queryable;
  const { rows } = await db.query(
    `select r.resource_type, r.version_id, r.content::text as json from fhir_resources r
     where not r.deleted and (
       (r.resource_type = 'HealthcareService' and not exists (select 1 from directory_service d where d.id = r.id))
       or (r.resource_type = 'Location' and r.content ? 'position'
           and (not exists (select 1 from location_position p where p.id = r.id)
                or not exists (select 1 from location_address a where a.id = r.id))))`,
  );
  const { indexLocationPosition } = await import('./location-near');
  for (const row of rows) {
    const resource = JSON.parse(row.json);
    const result = {
      resource,
      created: true,
      version: {
        resourceType: row.resource_type,
        id: resource.id,
        versionId: Number(row.version_id),
        lastUpdated: resource.meta?.lastUpdated,
        deleted: false,
        json: row.json,
      },
    };
    await indexLocationPosition(store, result);
    await indexDirectoryService(store, result);
  }
  return rows.length;
}
