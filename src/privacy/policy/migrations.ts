import type { Migration } from '../../store/db/migrate';

/**
 * Adds the access columns to `fhir_resources` (GIN indexes for `&&` / `= any`) and to `fhir_history`
 * (so history and vread can be filtered by the same predicate).
 * Nullable on purpose: a row whose columns were never computed is visible to administrators only
 * (visibilitySql requires both to be non-null), so a missed backfill fails closed.
 *
 * Not registered on import: migration ids sort globally and `privacy-0002` sorts before
 * `store-0001-resources`, which creates the table. Register it where it runs after the store
 * migrations (see README "Wiring"); run out of order, it stops with a message saying so.
 */
export const accessColumnsMigration: Migration = {
  id: 'privacy-0002-access-columns',
  sql: `
do $$
begin
  if to_regclass('fhir_resources') is null then
    raise exception 'privacy-0002-access-columns must run after store-0001-resources (fhir_resources does not exist yet)';
  end if;
end
$$;
alter table fhir_resources add column security text[], add column compartment text[], add column custodian text;
alter table fhir_history add column security text[], add column compartment text[], add column custodian text;
create index fhir_resources_security on fhir_resources using gin (security);
create index fhir_resources_compartment on fhir_resources using gin (compartment);
create index fhir_resources_custodian on fhir_resources (custodian) where custodian is not null;
`,
};

/**
 * The category column the consent part of the policy filters on (consents limited to data
 * categories, e.g. Observation category `sdoh`): the codes of `category[].coding[]` (any system),
 * computed by PostgreSQL from the content, so every write path, old rows and history versions have
 * it without the write statements naming it. `resourceCategories` computes the same in TypeScript.
 * Registered by the store as `store-0003-category-column`, after the tables exist.
 */
export const categoryColumnMigration: Migration = {
  id: 'privacy-0003-category-column',
  sql: `
alter table fhir_resources add column category jsonb generated always as (jsonb_path_query_array(content, '$.category.coding.code')) stored;
alter table fhir_history add column category jsonb generated always as (jsonb_path_query_array(content, '$.category.coding.code')) stored;
`,
};
