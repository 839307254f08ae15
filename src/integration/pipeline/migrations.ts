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
];

registerMigrations(INTEGRATION_MIGRATIONS);
