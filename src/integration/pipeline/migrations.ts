import { registerMigrations } from '../../store/db/migrate';

/** The raw-message log: every message or file a channel received, stored once per (channel, key). */
export const INTEGRATION_MIGRATIONS = [
  {
    id: 'integration-0001-messages',
    sql: `
create table if not exists integration_messages (
  id bigserial primary key,
  channel text not null,
  message_key text not null,
  kind text not null,
  raw text not null,
  received_at timestamptz not null default now(),
  status text not null,
  error jsonb,
  ack text,
  summary jsonb,
  committed_at timestamptz,
  latency_ms double precision,
  attempts integer not null default 1,
  duplicates integer not null default 0,
  unique (channel, message_key)
);
create index if not exists integration_messages_status on integration_messages (channel, status);
create index if not exists integration_messages_received on integration_messages (channel, received_at desc);
`,
  },
  {
    // SFTP pull: what was fetched from each channel's server (so a file is fetched once), and the
    // last pull's outcome, shown with the channel's status.
    id: 'integration-0002-sftp',
    sql: `
create table if not exists integration_sftp_files (
  channel text not null,
  remote_path text not null,
  size bigint not null,
  mtime bigint not null,
  fetched_at timestamptz not null default now(),
  primary key (channel, remote_path, size, mtime)
);
create table if not exists integration_sftp_status (
  channel text primary key,
  last_attempt_at timestamptz,
  last_success_at timestamptz,
  last_error text,
  files_fetched integer not null default 0,
  host_key text
);
`,
  },
  {
    // A failed row of a file is its own dead letter, pointing at the file's message.
    id: 'integration-0003-row-letters',
    sql: `
alter table integration_messages add column if not exists parent_id bigint;
create index if not exists integration_messages_parent on integration_messages (parent_id);
`,
  },
];

registerMigrations(INTEGRATION_MIGRATIONS);
