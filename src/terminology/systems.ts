/**
 * Canonical URIs used by Kith's mappers and shipped ConceptMaps.
 *
 * Kith's own CodeSystems and identifier namespaces live under KITH_FHIR_BASE (the same base the
 * store uses for its own OperationOutcome codes), so every locally defined code is traceable to
 * one owner. Everything else is an HL7 / THO canonical URI, spelled exactly as published.
 */
export const KITH_FHIR_BASE = 'https://kith.example.org/fhir';

export const kithCodeSystem = (id: string): string => `${KITH_FHIR_BASE}/CodeSystem/${id}`;
export const kithConceptMap = (id: string): string => `${KITH_FHIR_BASE}/ConceptMap/${id}`;
export const kithExtension = (id: string): string => `${KITH_FHIR_BASE}/StructureDefinition/${id}`;
/** Identifier namespace for a source system's local ids, e.g. kithIdentifierSystem('hmis', 'boston', 'personal-id'). */
export const kithIdentifierSystem = (...parts: string[]): string =>
  `${KITH_FHIR_BASE}/sid/${parts.map(slug).join('/')}`;

/** Lower-case, URL-safe slug; keeps identifier namespaces stable across casing and spacing differences. */
export function slug(value: string): string {
  const s = value
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'unknown';
}

export const SYSTEMS = {
  // FHIR / THO code systems
  administrativeGender: 'http://hl7.org/fhir/administrative-gender',
  dataAbsentReason: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
  v3ActCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  v3Confidentiality: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  v3RoleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  v3ObservationInterpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  v3NullFlavor: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor',
  observationStatus: 'http://hl7.org/fhir/observation-status',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  diagnosticReportStatus: 'http://hl7.org/fhir/diagnostic-report-status',
  dischargeDisposition: 'http://terminology.hl7.org/CodeSystem/discharge-disposition',
  episodeOfCareStatus: 'http://hl7.org/fhir/episode-of-care-status',
  fmStatus: 'http://hl7.org/fhir/fm-status',
  addressUse: 'http://hl7.org/fhir/address-use',
  addressType: 'http://hl7.org/fhir/address-type',
  contactPointUse: 'http://hl7.org/fhir/contact-point-use',
  contactPointSystem: 'http://hl7.org/fhir/contact-point-system',
  identifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  v2YesNo: 'http://terminology.hl7.org/CodeSystem/v2-0136',
  sopt: 'https://nahdo.org/sopt',
  ucum: 'http://unitsofmeasure.org',
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  usSsn: 'http://hl7.org/fhir/sid/us-ssn',
  // HL7 v2 tables as FHIR code systems (THO)
  v2: (table: string): string => `http://terminology.hl7.org/CodeSystem/v2-${table}`,
  // Kith-owned code systems
  hmisLivingSituation: kithCodeSystem('hmis-living-situation'),
  hmisRelationshipToHoH: kithCodeSystem('hmis-relationship-to-hoh'),
  hmisDataQuality: kithCodeSystem('hmis-data-quality'),
  hmisNoYes: kithCodeSystem('hmis-no-yes'),
  hmisSex: kithCodeSystem('hmis-sex'),
  hmisDataElement: kithCodeSystem('hmis-data-element'),
  hmisProjectType: kithCodeSystem('hmis-project-type'),
  hmisRecordType: kithCodeSystem('hmis-record-type'),
  hmisServiceType: kithCodeSystem('hmis-service-type'),
  hmisResponse: kithCodeSystem('hmis-response'),
  housingSituationCategory: kithCodeSystem('housing-situation-category'),
  extractProgramCode: kithCodeSystem('extract-program-code'),
  extractStatusCode: kithCodeSystem('extract-status-code'),
  socialProgram: kithCodeSystem('social-program'),
  wicCategoryCode: kithCodeSystem('wic-category-code'),
  wicParticipantCategory: kithCodeSystem('wic-participant-category'),
  encounterType: kithCodeSystem('encounter-type'),
  jailReleaseReason: kithCodeSystem('jail-release-reason'),
} as const;

/** URLs of the ConceptMaps shipped in ./maps (the mappers refer to them by these constants). */
export const CONCEPT_MAPS = {
  hmisDestination: kithConceptMap('hmis-destination'),
  hmisLivingSituation: kithConceptMap('hmis-living-situation'),
  hmisRelationshipToHoH: kithConceptMap('hmis-relationship-to-hoh'),
  hmisDataQuality: kithConceptMap('hmis-data-quality'),
  hmisNoYes: kithConceptMap('hmis-no-yes'),
  hmisSex: kithConceptMap('hmis-sex'),
  extractProgram: kithConceptMap('extract-program'),
  extractStatus: kithConceptMap('extract-status'),
  wicCategory: kithConceptMap('wic-category'),
  v2Sex: kithConceptMap('v2-0001-administrative-gender'),
  v2PatientClass: kithConceptMap('v2-0004-encounter-class'),
  v2DischargeDisposition: kithConceptMap('v2-0112-discharge-disposition'),
  v2AbnormalFlags: kithConceptMap('v2-0078-observation-interpretation'),
  v2ObservationResultStatus: kithConceptMap('v2-0085-observation-status'),
  v2ResultStatus: kithConceptMap('v2-0123-diagnostic-report-status'),
  v2AddressType: kithConceptMap('v2-0190-address'),
  v2TelecomUse: kithConceptMap('v2-0201-contact-point-use'),
  v2TelecomEquipment: kithConceptMap('v2-0202-contact-point-system'),
} as const;
