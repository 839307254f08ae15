/** The capabilities the navigation lists, in order, with what each coming page will do. */
export interface Capability {
  label: string;
  path: string;
  section: string;
  /** Who the page is for, when not every care coordinator. */
  audience?: 'Admin' | 'Steward';
  /** Set while the capability is not built: the panel says what it will be. */
  coming?: { capability: string; description: string };
}

export const CAPABILITIES: Capability[] = [
  { label: 'Person search', path: '/', section: 'People' },
  { label: 'Create a person', path: '/people/new', section: 'People' },
  {
    label: 'Persons / 360 view',
    path: '/persons',
    section: 'People',
    coming: {
      capability: 'the 360 view',
      description:
        'One view of a person across every linked source record (county, clinic, community organizations) ' +
        'and live remote FHIR sources. Today each source record has its own page: find it with Person search.',
    },
  },
  {
    label: 'Enrollment',
    path: '/enrollment',
    section: 'Care coordination',
    coming: {
      capability: 'enrollment',
      description: 'Enroll a person in a program, with its period, status and managing organization.',
    },
  },
  {
    label: 'Assessments',
    path: '/assessments',
    section: 'Care coordination',
    coming: {
      capability: 'assessments',
      description:
        'Screening questionnaires (for example social needs), whose answers become findings and health concerns.',
    },
  },
  {
    label: 'Care plans & teams',
    path: '/care-plans',
    section: 'Care coordination',
    coming: {
      capability: 'care plans and care teams',
      description:
        'Shared care plans with goals and activities, and the team across organizations that works on them.',
    },
  },
  {
    label: 'Referrals',
    path: '/referrals',
    section: 'Care coordination',
  },
  {
    label: 'Directory',
    path: '/directory',
    section: 'Care coordination',
  },
  {
    label: 'Consent',
    path: '/consent',
    section: 'Privacy',
    coming: {
      capability: 'a consent overview across people',
      description:
        "A person's consents are recorded and revoked on their page today: find the person, then choose " +
        'Consents. Administrators read who saw a person’s data from the same page (Disclosures).',
    },
  },
  {
    label: 'Alerts / Inbox',
    path: '/inbox',
    section: 'Work',
  },
  {
    label: 'Reports',
    path: '/reports',
    section: 'Work',
    coming: {
      capability: 'analytics',
      description: 'Standard reports on enrollment, referrals and outcomes from the data warehouse.',
    },
  },
  {
    label: 'Data sources',
    path: '/admin/data-sources',
    section: 'Administration',
    audience: 'Admin',
  },
  {
    label: 'Identity review',
    path: '/steward/identity-review',
    section: 'Administration',
    audience: 'Steward',
  },
  {
    label: 'Merge persons',
    path: '/steward/identity-merge',
    section: 'Administration',
    audience: 'Steward',
  },
];

export function capabilityAt(pathname: string): Capability | undefined {
  return CAPABILITIES.find((c) => c.path === pathname);
}
