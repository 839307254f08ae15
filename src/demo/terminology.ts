/**
 * Kith's own code systems (programs, organization kinds, access levels, staff roles, referral
 * business statuses, services, encounter types), shipped as CodeSystem resources in the demo.
 */
import { CODESYSTEM } from './kith';
import { coding, type Coding, type Resource } from './fhir';

type Concepts = readonly (readonly [code: string, display: string, definition?: string])[];

export const PROGRAMS = [
  ['medi-cal', 'Medi-Cal', "California's Medicaid program."],
  ['calfresh', 'CalFresh', "California's Supplemental Nutrition Assistance Program (SNAP)."],
  ['calworks', 'CalWORKs', 'Cash aid and services for families with children (TANF).'],
  ['general-assistance', 'General Assistance', 'County-funded cash aid for adults without dependents.'],
  ['wic', 'WIC', 'Special Supplemental Nutrition Program for Women, Infants, and Children.'],
  ['ecm', 'Enhanced Care Management', 'CalAIM Medi-Cal benefit: whole-person care management.'],
  ['community-supports', 'Community Supports', 'CalAIM Community Supports (e.g. housing deposits, meals).'],
  ['housing-navigation', 'Housing navigation', 'Housing transition navigation services.'],
  ['emergency-shelter', 'Emergency shelter', 'HUD Emergency Shelter project.'],
  ['rapid-rehousing', 'Rapid re-housing', 'HUD Rapid Re-Housing project.'],
  ['permanent-supportive-housing', 'Permanent supportive housing', 'HUD Permanent Supportive Housing.'],
  ['dmc-ods', 'Drug Medi-Cal Organized Delivery System', 'Substance use disorder treatment (42 CFR Part 2).'],
  ['specialty-mental-health', 'Specialty mental health services', 'County mental health plan services.'],
  ['probation-reentry', 'Adult probation reentry', 'Supervision and reentry services after release.'],
  ['food-pantry', 'Emergency food pantry', 'Food bank pantry enrollment.'],
  ['legal-services', 'Civil legal services', 'Free civil legal help (housing, benefits, family law).'],
] as const;

export type ProgramCode = (typeof PROGRAMS)[number][0];

export const ORGANIZATION_KINDS = [
  ['county-agency', 'County agency'],
  ['cbo', 'Community-based organization'],
  ['state', 'State agency'],
  ['health-plan', 'Health plan'],
  ['provider', 'Health care provider'],
] as const;

export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number][0];

export const ACCESS_LEVELS = [
  ['view-only', 'View only', 'May view the data the policy permits.'],
  ['exchange', 'Exchange', 'View, and send or receive referrals and messages.'],
  ['edit', 'Edit', 'View, exchange, and create or change records.'],
] as const;

export type AccessLevel = (typeof ACCESS_LEVELS)[number][0];

export const STAFF_ROLES = [
  ['administrator', 'Administrator', 'Manages users, organizations and settings.'],
  ['data-steward', 'Data steward', 'Reviews identity matches and data quality.'],
  ['eligibility-worker', 'Eligibility worker'],
  ['case-manager', 'Case manager'],
  ['care-coordinator', 'Care coordinator'],
  ['physician', 'Physician'],
  ['nurse', 'Nurse'],
  ['counselor', 'Counselor'],
  ['navigator', 'Navigator'],
  ['attorney', 'Attorney'],
  ['paralegal', 'Paralegal'],
  ['probation-officer', 'Probation officer'],
  ['nutritionist', 'Nutritionist'],
  ['intake-worker', 'Intake worker'],
  ['analyst', 'Analyst'],
  ['program-manager', 'Program manager'],
] as const;

export type StaffRoleCode = (typeof STAFF_ROLES)[number][0];

/** Finer referral states (findhelp's list), carried in Task.businessStatus. */
export const REFERRAL_STATUSES = [
  ['not-updated', 'Not updated'],
  ['needs-client-action', 'Needs client action'],
  ['pending', 'Pending'],
  ['referred-elsewhere', 'Referred elsewhere'],
  ['eligible', 'Eligible'],
  ['got-help', 'Got help'],
  ['couldnt-contact', "Couldn't contact"],
  ['not-eligible', 'Not eligible'],
  ['no-capacity', 'No capacity'],
  ['couldnt-get-help', "Couldn't get help"],
  ['no-longer-interested', 'No longer interested'],
  ['client-declined', 'Client declined'],
] as const;

export type ReferralStatusCode = (typeof REFERRAL_STATUSES)[number][0];

export const SERVICES = [
  ['food-pantry-enrollment', 'Food pantry enrollment'],
  ['calfresh-application-assistance', 'CalFresh application assistance'],
  ['emergency-shelter-placement', 'Emergency shelter placement'],
  ['housing-navigation', 'Housing navigation'],
  ['eviction-defense', 'Eviction defense'],
  ['restraining-order-assistance', 'Domestic violence restraining order assistance'],
  ['benefits-advocacy', 'Public benefits advocacy'],
  ['primary-care-follow-up', 'Primary care follow-up after emergency visit'],
  ['ecm-enrollment', 'Enhanced Care Management enrollment'],
  ['sud-treatment-intake', 'Substance use disorder treatment intake'],
  ['wic-enrollment', 'WIC enrollment'],
  ['medi-cal-enrollment', 'Medi-Cal enrollment'],
] as const;

export type ServiceCode = (typeof SERVICES)[number][0];

export const ENCOUNTER_TYPES = [
  ['jail-booking', 'Jail booking', 'Booking into county detention, from booking to release.'],
  ['bh-intake', 'Behavioral health intake'],
  ['bh-counseling', 'Substance use counseling session'],
  ['wic-certification', 'WIC certification visit'],
] as const;

export const ENDPOINT_CONNECTIONS = [['hmis-csv-sftp', 'HUD HMIS CSV export over SFTP']] as const;

function lookup(list: Concepts, system: string, code: string): Coding {
  const found = list.find(([c]) => c === code);
  if (!found) throw new Error(`unknown code ${code} in ${system}`);
  return coding(system, code, found[1]);
}

export const programCoding = (code: ProgramCode): Coding => lookup(PROGRAMS, CODESYSTEM.program, code);
export const kindCoding = (code: OrganizationKind): Coding =>
  lookup(ORGANIZATION_KINDS, CODESYSTEM.organizationKind, code);
export const accessCoding = (code: AccessLevel): Coding =>
  lookup(ACCESS_LEVELS, CODESYSTEM.accessLevel, code);
export const staffRoleCoding = (code: StaffRoleCode): Coding =>
  lookup(STAFF_ROLES, CODESYSTEM.staffRole, code);
export const referralStatusCoding = (code: ReferralStatusCode): Coding =>
  lookup(REFERRAL_STATUSES, CODESYSTEM.referralStatus, code);
export const serviceCoding = (code: ServiceCode): Coding => lookup(SERVICES, CODESYSTEM.service, code);
export const encounterTypeCoding = (code: (typeof ENCOUNTER_TYPES)[number][0]): Coding =>
  lookup(ENCOUNTER_TYPES, CODESYSTEM.encounterType, code);

function codeSystem(
  id: string,
  url: string,
  name: string,
  title: string,
  description: string,
  list: Concepts,
) {
  return {
    resourceType: 'CodeSystem',
    id,
    url,
    version: '1.0.0',
    name,
    title,
    status: 'active',
    experimental: false,
    publisher: 'Kith',
    description,
    caseSensitive: true,
    content: 'complete',
    count: list.length,
    concept: list.map(([code, display, definition]) =>
      definition ? { code, display, definition } : { code, display },
    ),
  } satisfies Resource;
}

export function kithCodeSystems(): Resource[] {
  return [
    codeSystem(
      'kith-program',
      CODESYSTEM.program,
      'KithProgram',
      'Kith programs',
      'Programs people enroll in (EpisodeOfCare.type).',
      PROGRAMS,
    ),
    codeSystem(
      'kith-organization-kind',
      CODESYSTEM.organizationKind,
      'KithOrganizationKind',
      'Kith organization kinds',
      'The kind of a participating organization, used by the access policy.',
      ORGANIZATION_KINDS,
    ),
    codeSystem(
      'kith-access-level',
      CODESYSTEM.accessLevel,
      'KithAccessLevel',
      'Kith access levels',
      'What a user in an organization may do.',
      ACCESS_LEVELS,
    ),
    codeSystem(
      'kith-staff-role',
      CODESYSTEM.staffRole,
      'KithStaffRole',
      'Kith staff roles',
      'Job roles and the administrator and data steward roles (PractitionerRole.code).',
      STAFF_ROLES,
    ),
    codeSystem(
      'kith-referral-business-status',
      CODESYSTEM.referralStatus,
      'KithReferralBusinessStatus',
      'Kith referral business statuses',
      'Finer referral outcomes carried in Task.businessStatus.',
      REFERRAL_STATUSES,
    ),
    codeSystem(
      'kith-service',
      CODESYSTEM.service,
      'KithService',
      'Kith services',
      'Services that can be requested by referral (ServiceRequest.code).',
      SERVICES,
    ),
    codeSystem(
      'kith-encounter-type',
      CODESYSTEM.encounterType,
      'KithEncounterType',
      'Kith encounter types',
      'Encounter types of county and community sources that SNOMED CT does not name.',
      ENCOUNTER_TYPES,
    ),
    codeSystem(
      'kith-endpoint-connection',
      CODESYSTEM.endpointConnection,
      'KithEndpointConnection',
      'Kith endpoint connection types',
      'Connection types of source systems not in the FHIR list.',
      ENDPOINT_CONNECTIONS,
    ),
  ];
}
