import { registerMigrations, type Migration } from '../../store/db/migrate';

/** consent_grants: every active patient-privacy Consent flattened, one row per provision × patient × grantee. */
export const consentMigrations: Migration[] = [
  {
    id: 'privacy-0001-consent-grants',
    sql: `
create table consent_grants (
  consent_id text not null,
  seq integer not null,
  patient text not null,
  grantee text not null,
  permit boolean not null,
  depth integer not null,
  labels text[] not null default '{}',
  resource_types text[],
  purposes text[],
  resources text[],
  period_start timestamptz,
  period_end timestamptz,
  primary key (consent_id, seq)
);
create index consent_grants_patient on consent_grants (patient, grantee);
`,
  },
  {
    // Consents limited to data categories (provision.class codings that are not resource types).
    id: 'privacy-0003-consent-categories',
    sql: `alter table consent_grants add column categories text[];`,
  },
];

registerMigrations(consentMigrations);
