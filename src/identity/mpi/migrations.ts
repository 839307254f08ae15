import { registerMigrations, type Migration } from '../../store';

/**
 * Tables of the online master person index. The Person resources stay the FHIR view; these tables are
 * the index and the bookkeeping, written in the same transaction as each Patient write.
 */
export const identityMigrations: Migration[] = [
  {
    id: 'identity-0001-mpi',
    sql: `
create table identity_keys (
  patient_id text not null,
  key text not null,
  value text not null,
  primary key (patient_id, key, value)
);
create index identity_keys_lookup on identity_keys (key, value);

create table identity_value_counts (
  field text not null,
  value_key text not null,
  n integer not null,
  primary key (field, value_key)
);

create table identity_records (
  patient_id text primary key,
  person_id text not null,
  record jsonb not null,
  source text,
  updated_at timestamptz not null default now()
);
create index identity_records_person on identity_records (person_id);

-- The primary key on patient_id is the invariant: a record belongs to exactly one Person at a time.
create table identity_links (
  patient_id text primary key,
  person_id text not null,
  assurance text not null check (assurance in ('level1', 'level2', 'level3', 'level4')),
  rule_version text,
  score double precision,
  evidence jsonb,
  linked_at timestamptz not null default now(),
  linked_by text not null
);
create index identity_links_person on identity_links (person_id);

-- Pairs a steward said are different people; stored with a < b.
create table identity_not_same (
  a text not null,
  b text not null,
  decided_by text,
  decided_at timestamptz not null default now(),
  primary key (a, b),
  check (a < b)
);

create table identity_review (
  id bigserial primary key,
  patient_id text not null,
  candidate_patient_id text not null,
  candidate_person_id text not null,
  score double precision not null,
  evidence jsonb not null,
  status text not null default 'open' check (status in ('open', 'linked', 'not-same')),
  created_at timestamptz not null default now(),
  decided_by text,
  decided_at timestamptz
);
create index identity_review_open on identity_review (status, id);
create unique index identity_review_pair on identity_review (patient_id, candidate_patient_id) where status = 'open';

-- Journal of steward and automatic actions, with the state before and after, for undo.
create table identity_actions (
  id bigserial primary key,
  action text not null check (action in ('link', 'unlink', 'merge', 'unmerge', 'split', 'not-same', 'review')),
  actor text not null,
  at timestamptz not null default now(),
  before jsonb not null,
  after jsonb not null,
  undone_by bigint
);
`,
  },
];

registerMigrations(identityMigrations);

registerMigrations([
  {
    // Undo of any journaled action is itself journaled as 'undo'.
    id: 'identity-0002-undo-action',
    sql: `
alter table identity_actions drop constraint identity_actions_action_check;
alter table identity_actions add constraint identity_actions_action_check
  check (action in ('link', 'unlink', 'merge', 'unmerge', 'split', 'not-same', 'review', 'undo'));
`,
  },
]);

registerMigrations([
  {
    // The candidate query looks not-same pairs up from either side; the primary key serves only `a`.
    id: 'identity-0003-not-same-by-b',
    sql: `create index identity_not_same_b on identity_not_same (b, a);`,
  },
]);

registerMigrations([
  {
    // Each record's normalized form (normalize/stored-form.ts), written with the record, so online
    // matching does not normalize its candidates again on every request. Nullable without a default
    // (no table rewrite, no backfill): rows written before it are normalized when read, as before.
    id: 'identity-0004-stored-form',
    sql: `alter table identity_records add column norm jsonb;`,
  },
]);

registerMigrations([
  {
    // A block read wants every patient_id of one (key, value). With patient_id in the index the read
    // is an index-only scan over a few adjacent leaf pages; on (key, value) alone it fetched a heap
    // row per member, each on its own page (up to the block limit, per key, per request).
    id: 'identity-0005-keys-covering',
    sql: `create index identity_keys_block on identity_keys (key, value, patient_id);
drop index identity_keys_lookup;`,
  },
]);
