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
  role?: DemoRole;
  job: StaffRoleCode;
  npi?: string;
}

const STAFF: StaffDef[] = [
  {
    username: 'hhsa.admin',
    given: 'Grace',
    family: 'Whitfield',
    org: 'hhsa',
    level: 'edit',
    role: 'administrator',
    job: 'administrator',
  },
  {
    username: 'hhsa.steward',
    given: 'Tomás',
    family: 'Aguilar',
    org: 'hhsa',
    level: 'edit',
    role: 'data-steward',
    job: 'data-steward',
  },
  { username: 'hhsa.view', given: 'Priya', family: 'Raman', org: 'hhsa', level: 'view-only', job: 'analyst' },
  {
    username: 'hhsa.exchange',
    given: 'Denise',
    family: 'Coleman',
    org: 'hhsa',
    level: 'exchange',
    job: 'care-coordinator',
  },
  {
    username: 'dss.view',
    given: 'Kevin',
    family: 'Brennan',
    org: 'dss',
    level: 'view-only',
    job: 'eligibility-worker',
  },
  {
    username: 'dss.exchange',
    given: 'Lucía',
    family: 'Navarro',
    org: 'dss',
    level: 'exchange',
    job: 'eligibility-worker',
  },
  { username: 'dss.edit', given: 'Marcus', family: 'Bell', org: 'dss', level: 'edit', job: 'case-manager' },
  {
    username: 'bh.view',
    given: 'Helen',
    family: 'Tran',
    org: 'bh',
    level: 'view-only',
    job: 'program-manager',
  },
  {
    username: 'bh.exchange',
    given: 'Andre',
    family: 'Washington',
    org: 'bh',
    level: 'exchange',
    job: 'counselor',
  },
  {
    username: 'bh.edit',
    given: 'Rosa',
    family: 'Delgado',
    org: 'bh',
    level: 'edit',
    job: 'counselor',
    npi: '1619834561',
  },
  {
    username: 'ph.view',
    given: 'Megan',
    family: 'Foster',
    org: 'ph',
    level: 'view-only',
    job: 'program-manager',
  },
  {
    username: 'ph.exchange',
    given: 'Mai',
    family: 'Vang',
    org: 'ph',
    level: 'exchange',
    job: 'nutritionist',
  },
  { username: 'ph.edit', given: 'Carmen', family: 'Ortiz', org: 'ph', level: 'edit', job: 'nutritionist' },
  {
    username: 'probation.view',
    given: 'Daniel',
    family: 'Kowalski',
    org: 'probation',
    level: 'view-only',
    job: 'analyst',
  },
  {
    username: 'probation.exchange',
    given: 'Tanya',
    family: 'Brooks',
    org: 'probation',
    level: 'exchange',
    job: 'probation-officer',
  },
  {
    username: 'probation.edit',
    given: 'Raymond',
    family: 'Castillo',
    org: 'probation',
    level: 'edit',
    job: 'probation-officer',
  },
  {
    username: 'clinic.view',
    given: 'Linda',
    family: 'Park',
    org: 'clinic',
    level: 'view-only',
    job: 'intake-worker',
  },
  {
    username: 'clinic.exchange',
    given: 'Jasmine',
    family: 'Reed',
    org: 'clinic',
    level: 'exchange',
    job: 'care-coordinator',
  },
  {
    username: 'clinic.edit',
    given: 'Samuel',
    family: 'Okafor',
    prefix: 'Dr.',
    org: 'clinic',
    level: 'edit',
    job: 'physician',
    npi: '1346578903',
  },
  {
    username: 'hospital.view',
    given: 'Olivia',
    family: 'Grant',
    org: 'hospital',
    level: 'view-only',
    job: 'analyst',
  },
  {
    username: 'hospital.exchange',
    given: 'Victor',
    family: 'Mendoza',
    org: 'hospital',
    level: 'exchange',
    job: 'case-manager',
  },
  {
    username: 'hospital.edit',
    given: 'Emily',
    family: 'Chen',
    prefix: 'Dr.',
    org: 'hospital',
    level: 'edit',
    job: 'physician',
    npi: '1578245908',
  },
  {
    username: 'plan.view',
    given: 'Robert',
    family: 'Yamamoto',
    org: 'plan',
    level: 'view-only',
    job: 'analyst',
  },
  {
    username: 'plan.exchange',
    given: 'Keisha',
    family: 'Howard',
    org: 'plan',
    level: 'exchange',
    job: 'care-coordinator',
  },
  { username: 'plan.edit', given: 'Anita', family: 'Sharma', org: 'plan', level: 'edit', job: 'nurse' },
  {
    username: 'foodbank.view',
    given: 'Tom',
    family: 'Gallagher',
    org: 'foodbank',
    level: 'view-only',
    job: 'intake-worker',
  },
  {
    username: 'foodbank.exchange',
    given: 'Guadalupe',
    family: 'Reyes',
    org: 'foodbank',
    level: 'exchange',
    job: 'intake-worker',
  },
  {
    username: 'foodbank.edit',
    given: 'Nathan',
    family: 'Moore',
    org: 'foodbank',
    level: 'edit',
    job: 'program-manager',
  },
  {
    username: 'shelter.view',
    given: 'Brenda',
    family: 'Lewis',
    org: 'shelter',
    level: 'view-only',
    job: 'intake-worker',
  },
  {
    username: 'shelter.exchange',
    given: 'Jamal',
    family: 'Carter',
    org: 'shelter',
    level: 'exchange',
    job: 'case-manager',
  },
  {
    username: 'shelter.edit',
    given: 'Sofia',
    family: 'Medina',
    org: 'shelter',
    level: 'edit',
    job: 'navigator',
  },
  {
    username: 'legalaid.view',
    given: 'Paul',
    family: 'Lindqvist',
    org: 'legalAid',
    level: 'view-only',
    job: 'paralegal',
  },
  {
    username: 'legalaid.exchange',
    given: 'Hannah',
    family: 'Kim',
    org: 'legalAid',
    level: 'exchange',
    job: 'paralegal',
  },
  {
    username: 'legalaid.edit',
    given: 'Isabel',
    family: 'Fuentes',
    org: 'legalAid',
    level: 'edit',
    job: 'attorney',
  },
  {
    username: 'dhcs.view',
    given: 'Michael',
    family: 'Sato',
    org: 'dhcs',
    level: 'view-only',
    job: 'analyst',
  },
  {
    username: 'dhcs.exchange',
    given: 'Angela',
    family: 'Price',
    org: 'dhcs',
    level: 'exchange',
    job: 'program-manager',
  },
  {
    username: 'dhcs.edit',
    given: 'Luis',
    family: 'Herrera',
    org: 'dhcs',
    level: 'edit',
    job: 'program-manager',
  },
];

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
