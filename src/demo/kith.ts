/**
 * Kith's own extension and code-system URLs used by the demo data (documented in README.md), the
 * ids of the demo organizations, and the county's source systems.
 */

const SD = 'https://kith.example.org/fhir/StructureDefinition';
const CS = 'https://kith.example.org/fhir/CodeSystem';

export const EXT = {
  /** Organization: valueCoding from ORGANIZATION_KIND_SYSTEM (county-agency, cbo, state, health-plan, provider). */
  organizationKind: `${SD}/organization-kind`,
  /** Organization: valueBoolean, true when the organization is a HIPAA covered entity. */
  hipaaCoveredEntity: `${SD}/hipaa-covered-entity`,
  /** Organization: valueBoolean, true when the organization is (or holds) a 42 CFR Part 2 program. */
  part2Program: `${SD}/part2-program`,
  /** PractitionerRole: valueCoding from ACCESS_LEVEL_SYSTEM (view-only, exchange, edit). */
  accessLevel: `${SD}/access-level`,
  /** HealthcareService: valueBoolean, true when the service receives electronic referrals in Kith. */
  acceptsElectronicReferrals: `${SD}/accepts-electronic-referrals`,
} as const;

export const CODESYSTEM = {
  organizationKind: `${CS}/organization-kind`,
  accessLevel: `${CS}/access-level`,
  /** Kith roles beyond the access level: administrator, data-steward; and staff job roles. */
  staffRole: `${CS}/staff-role`,
  program: `${CS}/program`,
  referralStatus: `${CS}/referral-business-status`,
  encounterType: `${CS}/encounter-type`,
  service: `${CS}/service`,
  endpointConnection: `${CS}/endpoint-connection`,
} as const;

export const ORG = {
  hhsa: 'alder-hhsa',
  dss: 'alder-dss',
  bh: 'alder-bh',
  ph: 'alder-ph',
  probation: 'alder-probation',
  clinic: 'alder-clinic',
  hospital: 'alder-hospital',
  plan: 'alder-health-plan',
  foodbank: 'alder-food-bank',
  shelter: 'alder-shelter',
  legalAid: 'alder-legal-aid',
  dhcs: 'ca-dhcs',
} as const;

export type OrgKey = keyof typeof ORG;

export type SourceKey = 'calsaws' | 'clinic' | 'hospital' | 'hmis' | 'jail' | 'wic' | 'foodbank' | 'bh';

export interface SourceSystem {
  key: SourceKey;
  name: string;
  org: OrgKey;
  /** The identifier system of the source's own person/record id. */
  identifierSystem: string;
  /** v2-0203 identifier type of that id. */
  idType: 'MR' | 'PI';
  /** Value of `meta.source` on every resource the source contributes. */
  metaSource: string;
  endpointId: string;
  endpointAddress: string;
  connection: 'hl7-fhir-rest' | 'hl7v2-mllp' | 'hmis-csv-sftp';
}

const ID = 'https://alder.example.org/id';
const SRC = 'https://alder.example.org/source';

function source(
  key: SourceKey,
  name: string,
  org: OrgKey,
  idName: string,
  idType: 'MR' | 'PI',
  connection: SourceSystem['connection'],
  endpointAddress: string,
): SourceSystem {
  return {
    key,
    name,
    org,
    identifierSystem: `${ID}/${idName}`,
    idType,
    metaSource: `${SRC}/${key}`,
    endpointId: `source-${key}`,
    endpointAddress,
    connection,
  };
}

export const SOURCES: Record<SourceKey, SourceSystem> = {
  calsaws: source(
    'calsaws',
    'CalSAWS (eligibility)',
    'dss',
    'calsaws',
    'PI',
    'hl7-fhir-rest',
    'https://calsaws.example.org/fhir',
  ),
  clinic: source(
    'clinic',
    'Alder Community Health EHR',
    'clinic',
    'clinic-mrn',
    'MR',
    'hl7-fhir-rest',
    'https://ehr.alder-clinic.example.org/fhir',
  ),
  hospital: source(
    'hospital',
    'Alder Regional Medical Center ADT',
    'hospital',
    'armc-mrn',
    'MR',
    'hl7v2-mllp',
    'mllp://adt.armc.example.org:2575',
  ),
  hmis: source(
    'hmis',
    'Alder Continuum of Care HMIS',
    'shelter',
    'hmis',
    'PI',
    'hmis-csv-sftp',
    'sftp://hmis.example.org/exports',
  ),
  jail: source(
    'jail',
    'Alder County Jail Management System',
    'probation',
    'jail-xref',
    'PI',
    'hl7-fhir-rest',
    'https://jms.alder-probation.example.org/fhir',
  ),
  wic: source(
    'wic',
    'California WIC WISE',
    'ph',
    'wic',
    'PI',
    'hl7-fhir-rest',
    'https://wic.example.org/fhir',
  ),
  foodbank: source(
    'foodbank',
    'Alder Valley Food Bank intake',
    'foodbank',
    'foodbank',
    'PI',
    'hl7-fhir-rest',
    'https://intake.alderfoodbank.example.org/fhir',
  ),
  bh: source(
    'bh',
    'Alder Behavioral Health EHR (Part 2)',
    'bh',
    'bh-mrn',
    'MR',
    'hl7-fhir-rest',
    'https://ehr.alder-bh.example.org/fhir',
  ),
};

/** Identifier systems shared across sources. */
export const SHARED_ID = {
  mediCalCin: 'https://dhcs.example.org/id/medi-cal-cin',
  planMember: 'https://alder.example.org/id/ahp-member',
  jailBooking: 'https://alder.example.org/id/jail-booking',
  cii: 'https://doj.example.org/id/cii',
} as const;

/** The fixed date the demo county is generated "as of", so output never depends on the clock. */
export const AS_OF = '2025-06-30';
