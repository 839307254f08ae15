import { registerMigrations, type Migration } from './db/migrate';
import { accessColumnsMigration, categoryColumnMigration } from '../privacy/policy/migrations';
import '../privacy/consent/migrations';

const indexTable = (name: string, columns: string, lookup: string): string => `
create table sp_${name} (
  resource_type text not null,
  id text not null,
  code text not null,
  ${columns}
);
create index sp_${name}_lookup on sp_${name} (resource_type, code, ${lookup});
create index sp_${name}_owner on sp_${name} (resource_type, id);
`;

/** The FHIR store: current versions, every version, and one index table per search parameter type. */
export const storeMigrations: Migration[] = [
  {
    id: 'store-0001-resources',
    sql: `
create table fhir_resources (
  resource_type text not null,
  id text not null,
  version_id bigint not null,
  last_updated timestamptz not null,
  deleted boolean not null default false,
  content jsonb not null,
  primary key (resource_type, id)
);
create index fhir_resources_updated on fhir_resources (resource_type, last_updated);
create table fhir_history (
  resource_type text not null,
  id text not null,
  version_id bigint not null,
  last_updated timestamptz not null,
  deleted boolean not null default false,
  content jsonb not null,
  primary key (resource_type, id, version_id)
);
create index fhir_history_updated on fhir_history (last_updated);
create index fhir_history_type_updated on fhir_history (resource_type, last_updated);
${indexTable('string', 'value text collate "C" not null, exact text not null', 'value, id')}
${indexTable('token', 'system text collate "C", value text collate "C", text text collate "C"', 'value, system, id')}
create index sp_token_text on sp_token (resource_type, code, text) where text is not null;
${indexTable('date', 'low timestamptz not null, high timestamptz not null', 'low, high, id')}
create index sp_date_high on sp_date (resource_type, code, high);
${indexTable('number', 'value numeric not null', 'value, id')}
${indexTable('quantity', 'value numeric not null, system text collate "C", unit text collate "C"', 'value, id')}
${indexTable('reference', 'target_type text collate "C", target_id text collate "C", ref text collate "C" not null', 'target_id, target_type, id')}
create index sp_reference_target on sp_reference (target_id, target_type);
create index sp_reference_ref on sp_reference (resource_type, code, ref);
${indexTable('uri', 'value text collate "C" not null', 'value, id')}
${indexTable('composite', 'key text collate "C" not null, num numeric, low timestamptz, high timestamptz', 'key, id')}
`,
  },
  // The access columns (security labels, patient compartment, custodian) the policy filters on;
  // rows are filled by the write path and, for rows written before, by the backfill on start.
  { ...accessColumnsMigration, id: 'store-0002-access-columns' },
  // The resource's category codes, for consents limited to data categories (computed by PostgreSQL).
  { ...categoryColumnMigration, id: 'store-0003-category-column' },
];

registerMigrations(storeMigrations);
