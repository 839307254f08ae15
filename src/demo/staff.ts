/**
 * Demo staff: one Practitioner + PractitionerRole per user, three users (view-only, exchange, edit)
 * in every organization, plus an administrator and a data steward in the county agency. The list is
 * data (`demoUsers`) so the auth module can create the sign-in accounts from it.
 */
import { EXT, ORG, type OrgKey } from './kith';
import { refTo, SYSTEM, type Resource } from './fhir';
import { accessCoding, staffRoleCoding, type AccessLevel, type StaffRoleCode } from './terminology';
import { LOCATIONS, SERVICE_DEFS } from './directory';
import { orgInfo, orgRef } from './organizations';

/** The one password of every demo account. Demo only: never use these accounts with real data. */
export const DEMO_PASSWORD = 'kith-demo-2025';

export type DemoRole = 'staff' | 'administrator' | 'data-steward';

export interface DemoUser {
  username: string;
  password: string;
  displayName: string;
  email: string;
  /** Reference to the organization, e.g. `Organization/alder-clinic`. */
  organization: string;
  organizationName: string;
  accessLevel: AccessLevel;
  role: DemoRole;
  jobRole: StaffRoleCode;
  /** Default purpose of use (v3 ActReason code): TREAT, COC, HPAYMT, HOPERAT, HSYSADMIN. */
  purposeOfUse: string;
  practitioner: string;
  practitionerRole: string;
}

interface StaffDef {
  username: string;
  given: string;
  family: string;
  prefix?: string;
  org: OrgKey;
  level: AccessLevel;
  job: StaffRoleCode;
  role?: DemoRole;
  npi?: string;
}

type Row = [
  username: string,
  given: string,
  family: string,
  org: OrgKey,
  level: AccessLevel,
  job: StaffRoleCode,
  extra?: DemoRole | string,
];

/** username, given, family, organization, access level, job role, and a Kith role or an NPI. */
const ROWS: Row[] = [
  ['hhsa.admin', 'Grace', 'Whitfield', 'hhsa', 'edit', 'administrator', 'administrator'],
  ['hhsa.steward', 'Tomás', 'Aguilar', 'hhsa', 'edit', 'data-steward', 'data-steward'],
  ['hhsa.view', 'Priya', 'Raman', 'hhsa', 'view-only', 'analyst'],
  ['hhsa.exchange', 'Denise', 'Coleman', 'hhsa', 'exchange', 'care-coordinator'],
  ['hhsa.edit', 'Naomi', 'Ferris', 'hhsa', 'edit', 'care-coordinator'],
  ['dss.view', 'Kevin', 'Brennan', 'dss', 'view-only', 'eligibility-worker'],
  ['dss.exchange', 'Lucía', 'Navarro', 'dss', 'exchange', 'eligibility-worker'],
  ['dss.edit', 'Marcus', 'Bell', 'dss', 'edit', 'case-manager'],
  ['bh.view', 'Helen', 'Tran', 'bh', 'view-only', 'program-manager'],
  ['bh.exchange', 'Andre', 'Washington', 'bh', 'exchange', 'counselor'],
  ['bh.edit', 'Rosa', 'Delgado', 'bh', 'edit', 'counselor', '1619834561'],
  ['ph.view', 'Megan', 'Foster', 'ph', 'view-only', 'program-manager'],
  ['ph.exchange', 'Mai', 'Vang', 'ph', 'exchange', 'nutritionist'],
  ['ph.edit', 'Carmen', 'Ortiz', 'ph', 'edit', 'nutritionist'],
  ['probation.view', 'Daniel', 'Kowalski', 'probation', 'view-only', 'analyst'],
  ['probation.exchange', 'Tanya', 'Brooks', 'probation', 'exchange', 'probation-officer'],
  ['probation.edit', 'Raymond', 'Castillo', 'probation', 'edit', 'probation-officer'],
  ['clinic.view', 'Linda', 'Park', 'clinic', 'view-only', 'intake-worker'],
  ['clinic.exchange', 'Jasmine', 'Reed', 'clinic', 'exchange', 'care-coordinator'],
  ['clinic.edit', 'Samuel', 'Okafor', 'clinic', 'edit', 'physician', '1346578903'],
  ['hospital.view', 'Olivia', 'Grant', 'hospital', 'view-only', 'analyst'],
  ['hospital.exchange', 'Victor', 'Mendoza', 'hospital', 'exchange', 'case-manager'],
  ['hospital.edit', 'Emily', 'Chen', 'hospital', 'edit', 'physician', '1578245908'],
  ['plan.view', 'Robert', 'Yamamoto', 'plan', 'view-only', 'analyst'],
  ['plan.exchange', 'Keisha', 'Howard', 'plan', 'exchange', 'care-coordinator'],
  ['plan.edit', 'Anita', 'Sharma', 'plan', 'edit', 'nurse'],
  ['foodbank.view', 'Tom', 'Gallagher', 'foodbank', 'view-only', 'intake-worker'],
  ['foodbank.exchange', 'Guadalupe', 'Reyes', 'foodbank', 'exchange', 'intake-worker'],
  ['foodbank.edit', 'Nathan', 'Moore', 'foodbank', 'edit', 'program-manager'],
  ['shelter.view', 'Brenda', 'Lewis', 'shelter', 'view-only', 'intake-worker'],
  ['shelter.exchange', 'Jamal', 'Carter', 'shelter', 'exchange', 'case-manager'],
  ['shelter.edit', 'Sofia', 'Medina', 'shelter', 'edit', 'navigator'],
  ['legalaid.view', 'Paul', 'Lindqvist', 'legalAid', 'view-only', 'paralegal'],
  ['legalaid.exchange', 'Hannah', 'Kim', 'legalAid', 'exchange', 'paralegal'],
  ['legalaid.edit', 'Isabel', 'Fuentes', 'legalAid', 'edit', 'attorney'],
  ['dhcs.view', 'Michael', 'Sato', 'dhcs', 'view-only', 'analyst'],
  ['dhcs.exchange', 'Angela', 'Price', 'dhcs', 'exchange', 'program-manager'],
  ['dhcs.edit', 'Luis', 'Herrera', 'dhcs', 'edit', 'program-manager'],
];

const STAFF: StaffDef[] = ROWS.map(([username, given, family, org, level, job, extra]) => ({
  username,
  given,
  family,
  org,
  level,
  job,
  ...(job === 'physician' ? { prefix: 'Dr.' } : {}),
  ...(extra && /^\d{10}$/.test(extra) ? { npi: extra } : extra ? { role: extra as DemoRole } : {}),
}));

const PURPOSE: Record<OrgKey, string> = {
  hhsa: 'HOPERAT',
  dss: 'COC',
  bh: 'TREAT',
  ph: 'COC',
  probation: 'COC',
  clinic: 'TREAT',
  hospital: 'TREAT',
  plan: 'HPAYMT',
  foodbank: 'COC',
  shelter: 'COC',
  legalAid: 'COC',
  dhcs: 'HOPERAT',
};

const slug = (username: string) => username.replace(/\./g, '-');
const emailOf = (s: StaffDef) =>
  `${s.given
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()}.${s.family.toLowerCase()}@${orgInfo(s.org).domain}`;

function purposeOf(s: StaffDef): string {
  if (s.role === 'administrator') return 'HSYSADMIN';
  return PURPOSE[s.org];
}

export const demoUsers: DemoUser[] = STAFF.map((s) => ({
  username: s.username,
  password: DEMO_PASSWORD,
  displayName: `${s.prefix ? s.prefix + ' ' : ''}${s.given} ${s.family}`,
  email: emailOf(s),
  organization: `Organization/${ORG[s.org]}`,
  organizationName: orgInfo(s.org).name,
  accessLevel: s.level,
  role: s.role ?? 'staff',
  jobRole: s.job,
  purposeOfUse: purposeOf(s),
  practitioner: `Practitioner/pr-${slug(s.username)}`,
  practitionerRole: `PractitionerRole/role-${slug(s.username)}`,
}));

/** The staff member a generator uses as author, requester or performer for an organization. */
export function staffRef(org: OrgKey, level: AccessLevel = 'edit') {
  const s =
    STAFF.find((x) => x.org === org && x.level === level && !x.role) ?? STAFF.find((x) => x.org === org);
  if (!s) throw new Error(`no staff in ${org}`);
  const name = `${s.prefix ? s.prefix + ' ' : ''}${s.given} ${s.family}`;
  return {
    practitioner: refTo('Practitioner', `pr-${slug(s.username)}`, name),
    role: refTo('PractitionerRole', `role-${slug(s.username)}`, `${name}, ${orgInfo(org).alias}`),
  };
}

function practitioner(s: StaffDef): Resource {
  const identifier: unknown[] = [{ system: 'https://kith.example.org/id/username', value: s.username }];
  if (s.npi) identifier.push({ system: SYSTEM.npi, value: s.npi });
  return {
    resourceType: 'Practitioner',
    id: `pr-${slug(s.username)}`,
    identifier,
    active: true,
    name: [
      { use: 'official', family: s.family, given: [s.given], ...(s.prefix ? { prefix: [s.prefix] } : {}) },
    ],
    telecom: [
      { system: 'email', value: emailOf(s), use: 'work' },
      { system: 'phone', value: orgInfo(s.org).phone, use: 'work' },
    ],
  };
}

function practitionerRole(s: StaffDef): Resource {
  const code = [{ coding: [staffRoleCoding(s.job)] }];
  if (s.role && s.role !== 'staff' && s.role !== s.job) code.push({ coding: [staffRoleCoding(s.role)] });
  const location = LOCATIONS.filter((l) => l.org === s.org).map((l) => refTo('Location', l.id));
  const services = SERVICE_DEFS.filter((d) => d.org === s.org).map((d) => refTo('HealthcareService', d.id));
  return {
    resourceType: 'PractitionerRole',
    id: `role-${slug(s.username)}`,
    extension: [{ url: EXT.accessLevel, valueCoding: accessCoding(s.level) }],
    identifier: [{ system: 'https://kith.example.org/id/username', value: s.username }],
    active: true,
    period: { start: '2024-01-02' },
    practitioner: refTo('Practitioner', `pr-${slug(s.username)}`),
    organization: orgRef(s.org),
    code,
    ...(location.length ? { location } : {}),
    ...(services.length ? { healthcareService: services } : {}),
    telecom: [{ system: 'email', value: emailOf(s), use: 'work' }],
  };
}

export function staffResources(): Resource[] {
  return [...STAFF.map(practitioner), ...STAFF.map(practitionerRole)];
}
