import { registerMigrations, type Migration } from '../store';

/** Tables of the notifications core: subscriptions' delivery state, the outbox, the inbox, jobs. */
export const notifyMigrations: Migration[] = [
  {
    id: 'notify-0001-subscriptions-outbox',
    sql: `
create table notify_subscription (
  id text primary key,
  topic text not null,
  resource_type text not null,
  filter text,
  status text not null,
  channel text not null,
  endpoint text,
  headers jsonb not null default '[]',
  content text not null,
  heartbeat_seconds int,
  timeout_seconds int not null default 10,
  events_since_start bigint not null default 0,
  last_sent_at timestamptz,
  error text,
  updated_at timestamptz not null default now()
);
create index notify_subscription_type on notify_subscription (resource_type) where status <> 'off';
create table notify_outbox (
  id bigserial primary key,
  subscription_id text not null,
  kind text not null,
  event_number bigint,
  focus_type text,
  focus_id text,
  focus_version bigint,
  focus_created boolean,
  event_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  state text not null default 'pending',
  attempts int not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_until timestamptz,
  last_error text,
  delivered_at timestamptz
);
create index notify_outbox_pending on notify_outbox (subscription_id, id) where state = 'pending';
create index notify_outbox_due on notify_outbox (next_attempt_at) where state = 'pending';
create table notify_inbox (
  communication_id text not null,
  recipient text not null,
  created_at timestamptz not null,
  read_at timestamptz,
  read_by text,
  primary key (recipient, communication_id)
);
create index notify_inbox_unread on notify_inbox (recipient) where read_at is null;
create table kith_jobs (
  id bigserial primary key,
  kind text not null,
  key text unique,
  payload jsonb not null default '{}',
  run_at timestamptz not null default now(),
  attempts int not null default 0,
  lease_until timestamptz,
  last_error text,
  done_at timestamptz
);
create index kith_jobs_due on kith_jobs (run_at) where done_at is null;
create table kith_secret (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);
`,
  },
  {
    // Who made a subscription (the Caller, without break-glass): notifications are matched and
    // their payloads read as that caller, under the access policy. Null: the system.
    id: 'notify-0002-subscription-owner',
    sql: `alter table notify_subscription add column owner jsonb;`,
  },
];

registerMigrations(notifyMigrations);
