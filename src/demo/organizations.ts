/**
 * The demo organizations: county agencies, community-based organizations, a clinic, a hospital, a
 * health plan and the state, each with Kith's kind / HIPAA / Part 2 extensions; and one Endpoint per
 * source system that feeds Kith.
 */
import { CODESYSTEM, EXT, ORG, SOURCES, type OrgKey } from './kith';
import { concept, refTo, SYSTEM, type Resource } from './fhir';
import { kindCoding, type OrganizationKind } from './terminology';
import { COUNTY, town } from './geography';

export interface OrgInfo {
  key: OrgKey;
  id: string;
  name: string;
  alias: string;
  kind: OrganizationKind;
  /** organization-type code (http://terminology.hl7.org/CodeSystem/organization-type). */
  type: 'govt' | 'prov' | 'pay' | 'cg';
  coveredEntity: boolean;
  part2: boolean;
  partOf?: OrgKey;
  street: string;
  town: string;
  phone: string;
  /** Web domain, also used for staff e-mail addresses. */
  domain: string;
  npi?: string;
}

function org(info: Omit<OrgInfo, 'id'>): OrgInfo {
  return { ...info, id: ORG[info.key] };
}

export const ORGANIZATIONS: OrgInfo[] = [
  org({
    key: 'hhsa',
    name: 'Alder County Health and Human Services Agency',
    alias: 'HHSA',
    kind: 'county-agency',
    type: 'govt',
    coveredEntity: true,
    part2: false,
    street: '1200 Courthouse Way',
    town: 'Alderton',
    phone: '(530) 555-0100',
    domain: 'hhsa.aldercounty.example.org',
  }),
  org({
    key: 'dss',
    name: 'Alder County Department of Social Services',
    alias: 'DSS',
    kind: 'county-agency',
    type: 'govt',
    coveredEntity: false,
    part2: false,
    partOf: 'hhsa',
    street: '455 Sutter Street',
    town: 'Alderton',
    phone: '(530) 555-0101',
    domain: 'dss.aldercounty.example.org',
  }),
  org({
    key: 'bh',
    name: 'Alder County Behavioral Health Services',
    alias: 'ACBH',
    kind: 'county-agency',
    type: 'govt',
    coveredEntity: true,
    part2: true,
    partOf: 'hhsa',
    street: '78 Mission Road',
    town: 'Alderton',
    phone: '(530) 555-0102',
    domain: 'bh.aldercounty.example.org',
    npi: '1023456787',
  }),
  org({
    key: 'ph',
    name: 'Alder County Public Health - WIC Program',
    alias: 'Public Health WIC',
    kind: 'county-agency',
    type: 'govt',
    coveredEntity: false,
    part2: false,
    partOf: 'hhsa',
    street: '300 Orchard Avenue',
    town: 'Millbrook',
    phone: '(530) 555-0103',
    domain: 'ph.aldercounty.example.org',
  }),
  org({
    key: 'probation',
    name: 'Alder County Probation and Adult Detention',
    alias: 'Probation',
    kind: 'county-agency',
    type: 'govt',
    coveredEntity: false,
    part2: false,
    street: '900 Levee Road',
    town: 'Riverbend',
    phone: '(530) 555-0104',
    domain: 'probation.aldercounty.example.org',
  }),
  org({
    key: 'clinic',
    name: 'Alder Community Health Clinic',
    alias: 'County Clinic',
    kind: 'provider',
    type: 'prov',
    coveredEntity: true,
    part2: false,
    partOf: 'hhsa',
    street: '1250 Courthouse Way',
    town: 'Alderton',
    phone: '(530) 555-0105',
    domain: 'clinic.aldercounty.example.org',
    npi: '1234567893',
  }),
  org({
    key: 'hospital',
    name: 'Alder Regional Medical Center',
    alias: 'ARMC',
    kind: 'provider',
    type: 'prov',
    coveredEntity: true,
    part2: false,
    street: '2000 Hillcrest Drive',
    town: 'Alderton',
    phone: '(530) 555-0106',
    domain: 'armc.example.org',
    npi: '1457389215',
  }),
  org({
    key: 'plan',
    name: 'Alder Health Plan',
    alias: 'AHP',
    kind: 'health-plan',
    type: 'pay',
    coveredEntity: true,
    part2: false,
    street: '60 Market Street',
    town: 'Alderton',
    phone: '(530) 555-0107',
    domain: 'alderhealthplan.example.org',
  }),
  org({
    key: 'foodbank',
    name: 'Alder Valley Food Bank',
    alias: 'Food Bank',
    kind: 'cbo',
    type: 'cg',
    coveredEntity: false,
    part2: false,
    street: '14 Depot Road',
    town: 'Riverbend',
    phone: '(530) 555-0108',
    domain: 'alderfoodbank.example.org',
  }),
  org({
    key: 'shelter',
    name: 'Hope Harbor Shelter',
    alias: 'Hope Harbor',
    kind: 'cbo',
    type: 'cg',
    coveredEntity: false,
    part2: false,
    street: '221 Canal Street',
    town: 'Alderton',
    phone: '(530) 555-0109',
    domain: 'hopeharbor.example.org',
  }),
  org({
    key: 'legalAid',
    name: 'Alder Legal Aid Society',
    alias: 'Legal Aid',
    kind: 'cbo',
    type: 'cg',
    coveredEntity: false,
    part2: false,
    street: '37 Franklin Avenue',
    town: 'Millbrook',
    phone: '(530) 555-0110',
    domain: 'alderlegalaid.example.org',
  }),
  org({
    key: 'dhcs',
    name: 'California Department of Health Care Services (demo)',
    alias: 'DHCS',
    kind: 'state',
    type: 'govt',
    coveredEntity: true,
    part2: false,
    street: '100 Capitol Demo Mall',
    town: 'Sacramento',
    phone: '(916) 555-0199',
    domain: 'dhcs.example.org',
  }),
];

export function orgInfo(key: OrgKey): OrgInfo {
  const found = ORGANIZATIONS.find((o) => o.key === key);
  if (!found) throw new Error(`unknown organization ${key}`);
  return found;
}

export const orgRef = (key: OrgKey) => refTo('Organization', ORG[key], orgInfo(key).name);

const ORG_TYPE_DISPLAY = {
  govt: 'Government',
  prov: 'Healthcare Provider',
  pay: 'Payer',
  cg: 'Community Group',
};

export function orgAddress(info: OrgInfo) {
  const inCounty = info.town !== 'Sacramento';
  const zip = inCounty ? town(info.town).zips[0] : '95899';
  return {
    use: 'work',
    type: 'physical',
    line: [info.street],
    city: info.town,
    district: inCounty ? COUNTY.name : 'Sacramento County',
    state: 'CA',
    postalCode: zip,
    country: 'US',
  };
}

function organizationResource(info: OrgInfo): Resource {
  const identifier: unknown[] = [{ system: 'https://kith.example.org/id/organization', value: info.id }];
  if (info.npi) identifier.push({ system: SYSTEM.npi, value: info.npi });
  const endpoints = Object.values(SOURCES)
    .filter((s) => s.org === info.key)
    .map((s) => refTo('Endpoint', s.endpointId));
  return {
    resourceType: 'Organization',
    id: info.id,
    extension: [
      { url: EXT.organizationKind, valueCoding: kindCoding(info.kind) },
      { url: EXT.hipaaCoveredEntity, valueBoolean: info.coveredEntity },
      { url: EXT.part2Program, valueBoolean: info.part2 },
    ],
    identifier,
    active: true,
    type: [
      concept(SYSTEM.orgType, info.type, ORG_TYPE_DISPLAY[info.type]),
      { coding: [kindCoding(info.kind)] },
    ],
    name: info.name,
    alias: [info.alias],
    telecom: [
      { system: 'phone', value: info.phone, use: 'work' },
      { system: 'url', value: `https://${info.domain}` },
    ],
    address: [orgAddress(info)],
    ...(info.partOf ? { partOf: orgRef(info.partOf) } : {}),
    ...(endpoints.length ? { endpoint: endpoints } : {}),
  };
}

function endpointResource(key: keyof typeof SOURCES): Resource {
  const s = SOURCES[key];
  const connection =
    s.connection === 'hmis-csv-sftp'
      ? {
          system: CODESYSTEM.endpointConnection,
          code: s.connection,
          display: 'HUD HMIS CSV export over SFTP',
        }
      : {
          system: SYSTEM.endpointConnectionType,
          code: s.connection,
          display: s.connection === 'hl7v2-mllp' ? 'HL7 v2 MLLP' : 'HL7 FHIR',
        };
  return {
    resourceType: 'Endpoint',
    id: s.endpointId,
    identifier: [{ system: 'https://kith.example.org/id/source', value: s.metaSource }],
    status: 'active',
    connectionType: connection,
    name: s.name,
    managingOrganization: orgRef(s.org),
    payloadType: [concept(SYSTEM.endpointPayloadType, 'any', 'Any')],
    address: s.endpointAddress,
  };
}

export function organizationResources(): Resource[] {
  return [
    ...ORGANIZATIONS.map(organizationResource),
    ...(Object.keys(SOURCES) as (keyof typeof SOURCES)[]).map(endpointResource),
  ];
}
