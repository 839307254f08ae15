/**
 * The service directory: Locations (with coordinates in the county) and HealthcareServices offered by
 * the county agencies, the clinic, the hospital and the community-based organizations.
 */
import { EXT, type OrgKey } from './kith';
import { concept, coding, refTo, SYSTEM, type Resource } from './fhir';
import { orgInfo, orgRef } from './organizations';
import { nearTown, TOWNS, town, COUNTY } from './geography';
import { programCoding, serviceCoding, type ProgramCode, type ServiceCode } from './terminology';
import { Random } from './random';

interface LocationDef {
  id: string;
  org: OrgKey;
  name: string;
  street: string;
  town: string;
  partOf?: string;
}

export const LOCATIONS: LocationDef[] = [
  {
    id: 'loc-hhsa',
    org: 'hhsa',
    name: 'HHSA Administration Building',
    street: '1200 Courthouse Way',
    town: 'Alderton',
  },
  {
    id: 'loc-dss-alderton',
    org: 'dss',
    name: 'DSS Alderton Office',
    street: '455 Sutter Street',
    town: 'Alderton',
  },
  {
    id: 'loc-dss-millbrook',
    org: 'dss',
    name: 'DSS Millbrook Office',
    street: '82 Main Street',
    town: 'Millbrook',
  },
  {
    id: 'loc-bh-alderton',
    org: 'bh',
    name: 'Behavioral Health Recovery Center',
    street: '78 Mission Road',
    town: 'Alderton',
  },
  {
    id: 'loc-wic-millbrook',
    org: 'ph',
    name: 'WIC Millbrook',
    street: '300 Orchard Avenue',
    town: 'Millbrook',
  },
  {
    id: 'loc-wic-esperanza',
    org: 'ph',
    name: 'WIC Esperanza',
    street: '15 Hidalgo Street',
    town: 'Esperanza',
  },
  {
    id: 'loc-probation',
    org: 'probation',
    name: 'Adult Probation Office',
    street: '900 Levee Road',
    town: 'Riverbend',
  },
  {
    id: 'loc-jail',
    org: 'probation',
    name: 'Alder County Jail',
    street: '910 Levee Road',
    town: 'Riverbend',
  },
  {
    id: 'loc-clinic-alderton',
    org: 'clinic',
    name: 'Alder Community Health Clinic',
    street: '1250 Courthouse Way',
    town: 'Alderton',
  },
  {
    id: 'loc-clinic-millbrook',
    org: 'clinic',
    name: 'Millbrook Satellite Clinic',
    street: '40 School Street',
    town: 'Millbrook',
  },
  {
    id: 'loc-hospital',
    org: 'hospital',
    name: 'Alder Regional Medical Center',
    street: '2000 Hillcrest Drive',
    town: 'Alderton',
  },
  {
    id: 'loc-hospital-ed',
    org: 'hospital',
    name: 'ARMC Emergency Department',
    street: '2000 Hillcrest Drive',
    town: 'Alderton',
    partOf: 'loc-hospital',
  },
  {
    id: 'loc-plan',
    org: 'plan',
    name: 'Alder Health Plan Member Services',
    street: '60 Market Street',
    town: 'Alderton',
  },
  {
    id: 'loc-food-bank',
    org: 'foodbank',
    name: 'Alder Valley Food Bank Warehouse and Pantry',
    street: '14 Depot Road',
    town: 'Riverbend',
  },
  {
    id: 'loc-pantry-cedar-falls',
    org: 'foodbank',
    name: 'Cedar Falls Community Pantry',
    street: '7 Church Street',
    town: 'Cedar Falls',
  },
  {
    id: 'loc-pantry-pine-hollow',
    org: 'foodbank',
    name: 'Pine Hollow Mobile Pantry',
    street: '2 Pioneer Way',
    town: 'Pine Hollow',
  },
  {
    id: 'loc-shelter',
    org: 'shelter',
    name: 'Hope Harbor Shelter',
    street: '221 Canal Street',
    town: 'Alderton',
  },
  {
    id: 'loc-legal-aid',
    org: 'legalAid',
    name: 'Alder Legal Aid Society',
    street: '37 Franklin Avenue',
    town: 'Millbrook',
  },
];

interface ServiceDef {
  id: string;
  org: OrgKey;
  name: string;
  comment: string;
  category: [code: string, display: string];
  type: [code: string, display: string];
  services: ServiceCode[];
  programs: ProgramCode[];
  locations: string[];
  eligibility?: string;
  electronic: boolean;
  provision: 'free' | 'disc' | 'cost';
  days: string[];
  hours: [string, string];
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];

export const SERVICE_DEFS: ServiceDef[] = [
  {
    id: 'svc-dss-benefits',
    org: 'dss',
    name: 'CalFresh, CalWORKs and Medi-Cal applications',
    comment: 'Apply for food, cash aid and health coverage; same-day interviews.',
    category: ['16', 'Financial & Material Aid'],
    type: ['470', 'Welfare Assistance'],
    services: ['medi-cal-enrollment'],
    programs: ['calfresh', 'calworks', 'medi-cal'],
    locations: ['loc-dss-alderton', 'loc-dss-millbrook'],
    electronic: true,
    provision: 'free',
    days: WEEKDAYS,
    hours: ['08:00:00', '17:00:00'],
  },
  {
    id: 'svc-bh-sud',
    org: 'bh',
    name: 'Outpatient substance use disorder treatment',
    comment: 'DMC-ODS outpatient and intensive outpatient treatment, medication for addiction treatment.',
    category: ['12', 'Drug/Alcohol'],
    type: ['108', 'Non-resid. Alcohol/Drug Treatment'],
    services: ['sud-treatment-intake'],
    programs: ['dmc-ods'],
    locations: ['loc-bh-alderton'],
    eligibility: 'Alder County residents with Medi-Cal or no insurance.',
    electronic: true,
    provision: 'free',
    days: WEEKDAYS,
    hours: ['08:00:00', '18:00:00'],
  },
  {
    id: 'svc-bh-mental-health',
    org: 'bh',
    name: 'Adult specialty mental health',
    comment: 'Assessment, therapy and psychiatry for adults with serious mental illness.',
    category: ['22', 'Mental Health'],
    type: ['239', 'Adult Mental Health Services'],
    services: [],
    programs: ['specialty-mental-health'],
    locations: ['loc-bh-alderton'],
    electronic: true,
    provision: 'free',
    days: WEEKDAYS,
    hours: ['08:00:00', '17:00:00'],
  },
  {
    id: 'svc-wic',
    org: 'ph',
    name: 'WIC nutrition services',
    comment: 'Healthy food, nutrition education and breastfeeding support for families.',
    category: ['16', 'Financial & Material Aid'],
    type: ['60', 'Nutrition'],
    services: ['wic-enrollment'],
    programs: ['wic'],
    locations: ['loc-wic-millbrook', 'loc-wic-esperanza'],
    eligibility: 'Pregnant or postpartum people, infants and children under 5 with low income.',
    electronic: true,
    provision: 'free',
    days: WEEKDAYS,
    hours: ['08:30:00', '16:30:00'],
  },
  {
    id: 'svc-probation-reentry',
    org: 'probation',
    name: 'Adult reentry services',
    comment: 'Reentry planning, benefits and housing linkage before and after release.',
    category: ['20', 'Justice'],
    type: ['376', 'Justice'],
    services: [],
    programs: ['probation-reentry'],
    locations: ['loc-probation'],
    electronic: true,
    provision: 'free',
    days: WEEKDAYS,
    hours: ['08:00:00', '17:00:00'],
  },
  {
    id: 'svc-clinic-primary-care',
    org: 'clinic',
    name: 'Primary care',
    comment: 'Adult and pediatric primary care; walk-in hours every morning.',
    category: ['17', 'General Practice'],
    type: ['124', 'General Practice'],
    services: ['primary-care-follow-up'],
    programs: ['medi-cal'],
    locations: ['loc-clinic-alderton', 'loc-clinic-millbrook'],
    electronic: true,
    provision: 'disc',
    days: [...WEEKDAYS, 'sat'],
    hours: ['08:00:00', '19:00:00'],
  },
  {
    id: 'svc-clinic-ecm',
    org: 'clinic',
    name: 'Enhanced Care Management',
    comment: 'A lead care manager coordinates health and social services for members with complex needs.',
    category: ['7', 'Community Health Care'],
    type: ['279', 'Case Management'],
    services: ['ecm-enrollment'],
    programs: ['ecm'],
    locations: ['loc-clinic-alderton'],
    eligibility: 'Medi-Cal members in an ECM population of focus.',
    electronic: true,
    provision: 'free',
    days: WEEKDAYS,
    hours: ['08:00:00', '17:00:00'],
  },
  {
    id: 'svc-hospital-ed',
    org: 'hospital',
    name: 'Emergency department',
    comment: 'Open 24 hours.',
    category: ['14', 'Emergency Department'],
    type: ['117', 'Emergency Medical'],
    services: [],
    programs: [],
    locations: ['loc-hospital-ed'],
    electronic: false,
    provision: 'cost',
    days: [...WEEKDAYS, 'sat', 'sun'],
    hours: ['00:00:00', '23:59:59'],
  },
  {
    id: 'svc-food-pantry',
    org: 'foodbank',
    name: 'Emergency food pantry',
    comment: 'Groceries once a week; no documents needed.',
    category: ['16', 'Financial & Material Aid'],
    type: ['548', 'Food Relief/Food/Meals'],
    services: ['food-pantry-enrollment'],
    programs: ['food-pantry'],
    locations: ['loc-food-bank', 'loc-pantry-cedar-falls', 'loc-pantry-pine-hollow'],
    electronic: true,
    provision: 'free',
    days: ['tue', 'thu', 'sat'],
    hours: ['09:00:00', '15:00:00'],
  },
  {
    id: 'svc-food-calfresh',
    org: 'foodbank',
    name: 'CalFresh application assistance',
    comment: 'Outreach workers help apply for CalFresh by phone or in person.',
    category: ['16', 'Financial & Material Aid'],
    type: ['122', 'Financial Information/Advice'],
    services: ['calfresh-application-assistance'],
    programs: ['calfresh'],
    locations: ['loc-food-bank'],
    electronic: true,
    provision: 'free',
    days: WEEKDAYS,
    hours: ['09:00:00', '16:00:00'],
  },
  {
    id: 'svc-shelter-emergency',
    org: 'shelter',
    name: 'Emergency shelter',
    comment: '60 beds for adults and 12 family rooms; intake until 9 pm.',
    category: ['18', 'Housing/Homelessness'],
    type: ['126', 'Crisis/Emergency Accommodation'],
    services: ['emergency-shelter-placement'],
    programs: ['emergency-shelter'],
    locations: ['loc-shelter'],
    electronic: true,
    provision: 'free',
    days: [...WEEKDAYS, 'sat', 'sun'],
    hours: ['00:00:00', '23:59:59'],
  },
  {
    id: 'svc-shelter-navigation',
    org: 'shelter',
    name: 'Housing navigation and rapid re-housing',
    comment: 'Housing search, deposits and short-term rental help.',
    category: ['18', 'Housing/Homelessness'],
    type: ['128', 'Housing Information/Referral'],
    services: ['housing-navigation'],
    programs: ['housing-navigation', 'rapid-rehousing'],
    locations: ['loc-shelter'],
    electronic: true,
    provision: 'free',
    days: WEEKDAYS,
    hours: ['09:00:00', '17:00:00'],
  },
  {
    id: 'svc-legal-housing',
    org: 'legalAid',
    name: 'Eviction defense',
    comment: 'Advice and representation for tenants facing eviction.',
    category: ['21', 'Legal'],
    type: ['132', 'Legal Advocacy'],
    services: ['eviction-defense'],
    programs: ['legal-services'],
    locations: ['loc-legal-aid'],
    eligibility: 'Household income at or below 200% of the federal poverty level.',
    electronic: true,
    provision: 'free',
    days: WEEKDAYS,
    hours: ['09:00:00', '17:00:00'],
  },
  {
    id: 'svc-legal-dv',
    org: 'legalAid',
    name: 'Domestic violence restraining orders',
    comment: 'Help preparing and filing restraining orders; court accompaniment.',
    category: ['21', 'Legal'],
    type: ['133', 'Legal Information/Advice/Referral'],
    services: ['restraining-order-assistance'],
    programs: ['legal-services'],
    locations: ['loc-legal-aid'],
    electronic: true,
    provision: 'free',
    days: WEEKDAYS,
    hours: ['09:00:00', '17:00:00'],
  },
  {
    id: 'svc-legal-benefits',
    org: 'legalAid',
    name: 'Public benefits advocacy',
    comment: 'Appeals of denied or cut-off CalFresh, Medi-Cal, SSI and General Assistance.',
    category: ['21', 'Legal'],
    type: ['132', 'Legal Advocacy'],
    services: ['benefits-advocacy'],
    programs: ['legal-services'],
    locations: ['loc-legal-aid'],
    electronic: false,
    provision: 'free',
    days: ['mon', 'wed'],
    hours: ['10:00:00', '15:00:00'],
  },
];

/** The HealthcareService (and so the organization) that performs a requested service. */
export function serviceFor(code: ServiceCode): ServiceDef {
  const found = SERVICE_DEFS.find((s) => s.services.includes(code));
  if (!found) throw new Error(`no directory service performs ${code}`);
  return found;
}

function locationResource(def: LocationDef, rng: Random, positions: Map<string, Position>): Resource {
  const t = town(def.town);
  const info = orgInfo(def.org);
  const sameSite = def.partOf ? LOCATIONS.find((l) => l.id === def.partOf) : undefined;
  const position = sameSite ? positions.get(sameSite.id) : nearTown(rng, t);
  if (position) positions.set(def.id, position);
  return {
    resourceType: 'Location',
    id: def.id,
    status: 'active',
    name: def.name,
    mode: 'instance',
    physicalType: def.partOf
      ? concept(SYSTEM.locationPhysicalType, 'wi', 'Wing')
      : concept(SYSTEM.locationPhysicalType, 'bu', 'Building'),
    telecom: [{ system: 'phone', value: info.phone, use: 'work' }],
    address: {
      use: 'work',
      type: 'physical',
      line: [def.street],
      city: def.town,
      district: COUNTY.name,
      state: 'CA',
      postalCode: t.zips[0],
      country: 'US',
    },
    position,
    managingOrganization: orgRef(def.org),
    ...(def.partOf ? { partOf: refTo('Location', def.partOf) } : {}),
  };
}

type Position = { latitude: number; longitude: number };

function serviceResource(def: ServiceDef): Resource {
  return {
    resourceType: 'HealthcareService',
    id: def.id,
    extension: [{ url: EXT.acceptsElectronicReferrals, valueBoolean: def.electronic }],
    active: true,
    providedBy: orgRef(def.org),
    category: [concept(SYSTEM.serviceCategory, ...def.category)],
    type: [
      concept(SYSTEM.serviceType, ...def.type),
      ...def.services.map((code) => ({ coding: [serviceCoding(code)] })),
    ],
    location: def.locations.map((id) => refTo('Location', id)),
    name: def.name,
    comment: def.comment,
    telecom: [{ system: 'phone', value: orgInfo(def.org).phone, use: 'work' }],
    coverageArea: TOWNS.map((t) => refTo('Location', `area-${t.name.toLowerCase().replace(/\s+/g, '-')}`)),
    serviceProvisionCode: [
      concept(
        'http://terminology.hl7.org/CodeSystem/service-provision-conditions',
        def.provision,
        PROVISION[def.provision],
      ),
    ],
    ...(def.eligibility ? { eligibility: [{ comment: def.eligibility }] } : {}),
    ...(def.programs.length ? { program: def.programs.map((p) => ({ coding: [programCoding(p)] })) } : {}),
    communication: [
      { coding: [coding('urn:ietf:bcp:47', 'en', 'English')] },
      { coding: [coding('urn:ietf:bcp:47', 'es', 'Spanish')] },
    ],
    referralMethod: def.electronic
      ? [concept(REFERRAL_METHOD, 'elec', 'Secure Messaging'), concept(REFERRAL_METHOD, 'phone', 'Phone')]
      : [concept(REFERRAL_METHOD, 'phone', 'Phone'), concept(REFERRAL_METHOD, 'fax', 'Fax')],
    appointmentRequired: def.org === 'clinic' || def.org === 'legalAid',
    availableTime: [
      { daysOfWeek: def.days, availableStartTime: def.hours[0], availableEndTime: def.hours[1] },
    ],
  };
}

const REFERRAL_METHOD = 'http://terminology.hl7.org/CodeSystem/service-referral-method';
const PROVISION = { free: 'Free', disc: 'Discounts Available', cost: 'Fees apply' };

/** Towns as area Locations, so services can state their coverage area. */
function areaResource(t: (typeof TOWNS)[number]): Resource {
  return {
    resourceType: 'Location',
    id: `area-${t.name.toLowerCase().replace(/\s+/g, '-')}`,
    status: 'active',
    name: `${t.name}, ${COUNTY.name}`,
    mode: 'kind',
    physicalType: concept(SYSTEM.locationPhysicalType, 'area', 'Area'),
    address: { city: t.name, district: COUNTY.name, state: 'CA', postalCode: t.zips[0], country: 'US' },
    position: { latitude: t.lat, longitude: t.lng },
  };
}

export function directoryResources(): Resource[] {
  // The directory does not depend on the demo seed: the same places on every run.
  const rng = new Random(0x41d3);
  const positions = new Map<string, Position>();
  return [
    ...TOWNS.map(areaResource),
    ...LOCATIONS.map((def) => locationResource(def, rng, positions)),
    ...SERVICE_DEFS.map(serviceResource),
  ];
}
