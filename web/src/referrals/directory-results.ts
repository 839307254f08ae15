import type { Bundle, HealthcareService, Location, Organization } from '@medplum/fhirtypes';
import type { FhirClient } from '../fhir/client';
import type { Point } from './directory-query';

export const EXT_ACCEPTS_REFERRALS =
  'https://kith.example.org/fhir/StructureDefinition/accepts-electronic-referrals';
const EXT_LOCATION_DISTANCE = 'http://hl7.org/fhir/StructureDefinition/location-distance';

/** One service found in the directory, with what the list and the map show about it. */
export interface DirectoryRow {
  service: HealthcareService;
  /** `HealthcareService/<id>` */
  reference: string;
  organization?: { reference: string; name?: string };
  locations: Location[];
  /** Miles to the nearest location, when searched near a point. */
  distanceKm?: number;
  acceptsReferrals: boolean;
}

export interface DirectoryPage {
  total: number;
  rows: DirectoryRow[];
}

export function acceptsElectronicReferrals(s: HealthcareService): boolean {
  return s.extension?.find((e) => e.url === EXT_ACCEPTS_REFERRALS)?.valueBoolean === true;
}

export function locationPoint(l: Location): Point | undefined {
  const p = l.position;
  return p && Number.isFinite(p.latitude) && Number.isFinite(p.longitude)
    ? { lat: p.latitude, long: p.longitude }
    : undefined;
}

/** Services (matches, in rank order) with their included Locations and their organizations' names. */
export async function readDirectoryPage(
  client: FhirClient,
  bundle: Bundle,
  signal?: AbortSignal,
): Promise<DirectoryPage> {
  const entries = bundle.entry ?? [];
  const locations = new Map<string, Location>();
  for (const e of entries)
    if (e.resource?.resourceType === 'Location' && e.resource.id) locations.set(e.resource.id, e.resource);
  const matches = entries.filter(
    (e) => e.search?.mode !== 'include' && e.resource?.resourceType === 'HealthcareService',
  );
  const orgIds = [
    ...new Set(
      matches
        .map(
          (e) =>
            /^Organization\/([^/]+)$/.exec(
              (e.resource as HealthcareService).providedBy?.reference ?? '',
            )?.[1],
        )
        .filter((x): x is string => !!x),
    ),
  ];
  const names = new Map<string, string>();
  if (orgIds.length) {
    const orgs = await client.search<Organization>(
      'Organization',
      { _id: orgIds.join(','), _count: orgIds.length },
      signal,
    );
    for (const e of orgs.entry ?? [])
      if (e.resource?.id && e.resource.name) names.set(`Organization/${e.resource.id}`, e.resource.name);
  }
  const rows = matches.map((e): DirectoryRow => {
    const service = e.resource as HealthcareService;
    const dist = e.search?.extension?.find((x) => x.url === EXT_LOCATION_DISTANCE)?.valueDistance?.value;
    const orgRef = service.providedBy?.reference;
    return {
      service,
      reference: `HealthcareService/${service.id}`,
      organization: orgRef
        ? { reference: orgRef, name: names.get(orgRef) ?? service.providedBy?.display }
        : undefined,
      locations: (service.location ?? [])
        .map((r) => locations.get(/^Location\/([^/]+)$/.exec(r.reference ?? '')?.[1] ?? ''))
        .filter((l): l is Location => !!l),
      distanceKm: dist,
      acceptsReferrals: acceptsElectronicReferrals(service),
    };
  });
  return { total: bundle.total ?? rows.length, rows };
}
