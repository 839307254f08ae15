/**
 * The extensions and code systems Kith defines for the provider directory. Documented in
 * src/referrals/README.md; each URL is stable.
 */
export const KITH = 'https://kith.example.org';

/** HealthcareService: valueBoolean, true when the service can receive an electronic referral
 * (its organization works on Kith, or it has an Endpoint that takes referrals). Absent = false. */
export const EXT_ACCEPTS_REFERRALS = `${KITH}/fhir/StructureDefinition/accepts-electronic-referrals`;
/** HealthcareService: valueCode `hsds` beside a stored accepts-electronic-referrals flag that an HSDS
 * import set because the HSDS data says so (a re-import whose data no longer says so removes it).
 * A flag without it was set by Kith staff and is kept across re-imports. */
export const EXT_ACCEPTS_REFERRALS_SOURCE = `${KITH}/fhir/StructureDefinition/accepts-electronic-referrals-source`;
/** HealthcareService: valueRange in years (UCUM `a`), the ages the service is for (HSDS minimum_age / maximum_age). */
export const EXT_ELIGIBLE_AGE = `${KITH}/fhir/StructureDefinition/eligible-age-range`;
/** Organization, Location, HealthcareService: valueMarkdown, the HSDS description where R4 has no element. */
export const EXT_DESCRIPTION = `${KITH}/fhir/StructureDefinition/description`;
/** Location (a service area): valueString, the HSDS service_area extent and its type (`geojson: ...`). */
export const EXT_AREA_EXTENT = `${KITH}/fhir/StructureDefinition/service-area-extent`;
/** HealthcareService.eligibility.code system for Kith's own eligibility kinds. */
export const CS_ELIGIBILITY = `${KITH}/fhir/CodeSystem/eligibility`;
/** Where an HSDS taxonomy has no URI of its own, its terms get this system plus the taxonomy name. */
export const HSDS_TAXONOMY_BASE = `${KITH}/hsds/taxonomy/`;
/** Identifier systems of HSDS ids: `https://kith.example.org/hsds/<object>` (organization, service ...). */
export const hsdsSystem = (object: string): string => `${KITH}/hsds/${object}`;
/** BCP-47 language tags (HealthcareService.communication). */
export const BCP47 = 'urn:ietf:bcp:47';
/** Bundle.entry.search distance for near results (core R4 extension). */
export const EXT_LOCATION_DISTANCE = 'http://hl7.org/fhir/StructureDefinition/location-distance';
