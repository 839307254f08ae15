import { registerMigrations, type Migration } from '../../store/db/migrate';

/** Accounts, OAuth clients, signing keys, refresh tokens, authorization codes and sign-in limits. */
export const authMigrations: Migration[] = [
  {
    id: 'auth-0001-accounts-clients-tokens',
    sql: `
create table auth_users (
  id text primary key,
  username text not null unique,
  email text,
  external_subject text unique,
  password_hash text,
  display_name text not null,
  practitioner_role text,
  organization_id text,
  organization_kind text,
  hipaa_covered boolean not null default false,
  part2_program boolean not null default false,
  access_level text not null check (access_level in ('view-only', 'exchange', 'edit')),
  roles text[] not null default '{}',
  purpose_of_use text not null default 'TREAT',
  disabled boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  password_changed_at timestamptz
);
create index auth_users_email on auth_users (lower(email)) where email is not null;

create table auth_clients (
  client_id text primary key,
  name text not null,
  auth_method text not null
    check (auth_method in ('client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none')),
  secret_hash text,
  jwks jsonb,
  jwks_uri text,
  redirect_uris text[] not null default '{}',
  grant_types text[] not null default '{}',
  scope text not null default '',
  organization_id text,
  organization_kind text,
  hipaa_covered boolean not null default false,
  part2_program boolean not null default false,
  access_level text not null check (access_level in ('view-only', 'exchange', 'edit')),
  roles text[] not null default '{}',
  purpose_of_use text not null default 'TREAT',
  disabled boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table auth_signing_keys (
  kid text primary key,
  alg text not null,
  private_jwk jsonb not null,
  public_jwk jsonb not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz
);

create table auth_refresh_tokens (
  token_hash text primary key,
  family_id text not null,
  user_id text,
  client_id text,
  scope text not null,
  patient text,
  purpose_of_use text,
  issued_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz,
  revoked_reason text
);
create index auth_refresh_tokens_family on auth_refresh_tokens (family_id);
create index auth_refresh_tokens_user on auth_refresh_tokens (user_id) where revoked_at is null;

create table auth_codes (
  code_hash text primary key,
  client_id text not null,
  user_id text not null,
  redirect_uri text not null,
  code_challenge text not null,
  scope text not null,
  patient text,
  nonce text,
  expires_at timestamptz not null,
  used_at timestamptz,
  family_id text
);

create table auth_assertion_jtis (
  client_id text not null,
  jti text not null,
  expires_at timestamptz not null,
  primary key (client_id, jti)
);

create table auth_login_attempts (
  key text primary key,
  failures integer not null,
  window_start timestamptz not null,
  locked_until timestamptz
);
`,
  },
  {
    // The purpose of use chosen on the authorization page travels with the code to the token.
    id: 'auth-0002-code-purpose',
    sql: `alter table auth_codes add column purpose_of_use text;`,
  },
  {
    // Break-glass grants as server records: a token names its grant, and each request checks it
    // still holds (its own end, or ended early), so a renewal can keep it and it ends on time.
    id: 'auth-0003-break-glass',
    sql: `
create table auth_break_glass (
  id text primary key,
  user_id text not null,
  family_id text,
  reason text not null,
  granted_at timestamptz not null default now(),
  until timestamptz not null,
  ended_at timestamptz
);
create index auth_break_glass_user on auth_break_glass (user_id, family_id) where ended_at is null;
`,
  },
];

registerMigrations(authMigrations);
