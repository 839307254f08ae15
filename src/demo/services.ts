/**
 * Services in the county directory (HealthcareService): what each agency, clinic and community-based
 * organization offers, where, when, for whom, and whether it receives electronic referrals in Kith.
 */
import { EXT, type OrgKey } from './kith';
import { concept, coding, refTo, SYSTEM, type Resource } from './fhir';
import { orgInfo, orgRef } from './organizations';
import { TOWNS } from './geography';
import { areaId } from './locations';
import { programCoding, serviceCoding, type ProgramCode, type ServiceCode } from './terminology';

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
    coverageArea: TOWNS.map((t) => refTo('Location', areaId(t.name))),
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

export function serviceResources(): Resource[] {
  return SERVICE_DEFS.map(serviceResource);
}
