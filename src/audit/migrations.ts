import { registerMigrations, type Migration } from '../store/db/migrate';

/**
 * The audit trail: one row per FHIR AuditEvent, chained by SHA-256 (`hash` = SHA-256 of
 * `prev_hash` + the event's canonical JSON, stored as that exact text). `audit_head` holds the chain's end; appending
 * updates it in the same statement, and its row lock makes appends one line under concurrency.
 * Triggers refuse UPDATE, DELETE and TRUNCATE, so changing the trail takes deliberate effort
 * (disabling triggers) and is then caught by `verifyAuditChain`.
 */
export const auditMigrations: Migration[] = [
  {
    id: 'audit-0001-events-chain',
    sql: `
create table audit_events (
  seq bigint primary key,
  id text not null unique,
  recorded timestamptz not null,
  action text not null,
  outcome text not null,
  patients text[] not null default '{}',
  -- The canonical JSON text exactly as hashed (cast to jsonb to query it).
  event text not null,
  prev_id text,
  prev_hash text not null,
  hash text not null
);
create index audit_events_patients on audit_events using gin (patients);
create index audit_events_recorded on audit_events (recorded);

create table audit_head (
  id integer primary key check (id = 1),
  seq bigint not null,
  last_id text,
  prev_id text,
  prev_hash text,
  hash text not null
);
insert into audit_head (id, seq, last_id, prev_hash, hash) values (1, 0, null, null, repeat('0', 64));

create function audit_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_events is append-only' using errcode = '42501';
end
$$;
create trigger audit_events_no_change before update or delete on audit_events
  for each row execute function audit_events_append_only();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function audit_events_append_only();
`,
  },
];

registerMigrations(auditMigrations);

registerMigrations([
  {
    // Events recorded inside a write's transaction wait here, unchained, and commit with the write;
    // the AuditWriter chains them in order soon after. Appending to the chain inside the write
    // held the head's row lock until the write committed, which made every write wait in one line.
    id: 'audit-0002-pending',
    sql: `
create table audit_pending (
  pid bigserial primary key,
  id text not null unique,
  recorded timestamptz not null,
  action text not null,
  outcome text not null,
  patients text[] not null default '{}',
  event text not null
);
`,
  },
]);

registerMigrations([
  {
    // A read's event is about 2.2 kB of canonical JSON, over the size at which PostgreSQL compresses
    // a row, so every append paid for pglz (2.2 kB -> 0.9 kB). lz4 does it in about half the CPU
    // (40,000 rows: 775 -> 440 ms) for 1.0 kB. Only new rows; a server built without lz4 (PGlite)
    // keeps pglz. What is hashed is the text, not its stored form: verification is unchanged.
    id: 'audit-0003-event-lz4',
    sql: `
do $$
begin
  alter table audit_events alter column event set compression lz4;
exception when feature_not_supported then null;
end
$$;
`,
  },
]);
