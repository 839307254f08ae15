import { registerMigrations, type Migration } from '../../store/db/migrate';

/**
 * Bulk Data `$export` jobs: one row per kick-off (who asked, what, where it stands), and the NDJSON
 * output of a finished job, one row per resource type. Kept in the database so that a job's status
 * and files answer the same on every poll, and its owner is checked against the stored caller.
 */
export const bulkExportMigrations: Migration[] = [
  {
    id: 'fhir-0001-bulk-export-jobs',
    sql: `
create table bulk_export_jobs (
  id text primary key,
  -- The caller who kicked it off ("user/ev-x", "client/kith-system"): the only one who may read it.
  owner text not null,
  request text not null,
  status text not null check (status in ('running', 'done', 'failed')),
  progress text,
  transaction_time timestamptz not null,
  error text,
  created timestamptz not null default now()
);

create table bulk_export_files (
  job_id text not null references bulk_export_jobs (id) on delete cascade,
  resource_type text not null,
  count integer not null,
  ndjson text not null,
  primary key (job_id, resource_type)
);
`,
  },
  {
    // A job's runner touches it with each page; a running job untouched for long was left by a
    // server that stopped (restart, crash), which no other node can tell from its own jobs otherwise.
    id: 'fhir-0002-bulk-export-heartbeat',
    sql: `alter table bulk_export_jobs add column heartbeat_at timestamptz not null default now();`,
  },
];

registerMigrations(bulkExportMigrations);
