import { registerMigrations, type Migration } from '../store';

/**
 * Tables the referrals capability owns (ids sort before `store-*`, so none reads fhir_resources:
 * rows for resources stored before these tables existed are filled in by `reindexDirectory`). The FHIR resources stay the source of truth; these are
 * indexes kept in the same transaction as each write (by the hooks in this folder).
 */
export const referralMigrations: Migration[] = [
  {
    // Location.position as numbers, so `near` is a range scan and not a JSON walk.
    id: 'referrals-0001-location-position',
    sql: `
create table location_position (
  id text primary key,
  lat double precision not null,
  lon double precision not null
);
create index location_position_lat_lon on location_position (lat, lon);
`,
  },
  {
    // One row per HealthcareService for the ranked directory search ($directory-search).
    id: 'referrals-0002-directory-service',
    sql: `
create table directory_service (
  id text primary key,
  active boolean not null,
  name text not null,
  organization text,
  accepts_referrals boolean not null default false,
  min_age numeric,
  max_age numeric,
  codes text[] not null default '{}',
  languages text[] not null default '{}',
  eligibility text[] not null default '{}',
  programs text[] not null default '{}',
  open_week int4multirange,
  search tsvector not null
);
create index directory_service_codes on directory_service using gin (codes);
create index directory_service_languages on directory_service using gin (languages);
create index directory_service_search on directory_service using gin (search);
create index directory_service_name on directory_service (name, id);
create table directory_service_location (
  service_id text not null,
  location_id text not null,
  primary key (service_id, location_id)
);
create index directory_service_location_loc on directory_service_location (location_id);
`,
  },
  {
    // The referral loop: one row per referral Task and one per status change, for inboxes and metrics.
    id: 'referrals-0003-referral',
    sql: `
create table referral (
  task_id text primary key,
  service_request text,
  requester_org text,
  owner_org text,
  category text,
  status text not null,
  business_status text,
  authored_at timestamptz not null,
  accepted_at timestamptz,
  completed_at timestamptz,
  closed_at timestamptz,
  has_outcome boolean not null default false,
  updated_at timestamptz not null
);
create index referral_owner on referral (owner_org, status);
create index referral_requester on referral (requester_org, status);
create table referral_status_log (
  id bigserial primary key,
  task_id text not null,
  from_status text,
  to_status text not null,
  business_status text,
  party text not null,
  actor text,
  changed_at timestamptz not null
);
create index referral_status_log_task on referral_status_log (task_id, id);
create table referral_link (
  jti text primary key,
  task_id text not null,
  owner_org text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz
);
`,
  },
  {
    // A near search walks from the Locations in its box to their services: with both columns in
    // the index that is an index-only probe per Location rather than a scan of the whole table.
    id: 'referrals-0004-service-location-by-location',
    sql: `
create index directory_service_location_loc_service on directory_service_location (location_id, service_id);
drop index directory_service_location_loc;
`,
  },
  {
    // The address of each Location with a position, standardized (src/identity/normalize), so a
    // street address typed in the directory is located from the directory's own places.
    id: 'referrals-0005-location-address',
    sql: `
create table location_address (
  id text primary key,
  number text not null,
  line text not null,
  city text not null,
  state text not null,
  zip text not null,
  lat double precision not null,
  lon double precision not null
);
create index location_address_number_line on location_address (number, line);
create index location_address_zip on location_address (zip);
create index location_address_city on location_address (city, state);
`,
  },
  {
    // Whether the service's organization works on Kith by its FHIR data (an active PractitionerRole,
    // an Endpoint), kept by write hooks; found by organization when one of those changes.
    id: 'referrals-0006-directory-org-on-kith',
    sql: `
alter table directory_service add column org_on_kith boolean not null default false;
create index directory_service_organization on directory_service (organization);
`,
  },
  {
    // One-time repairs of data written by older code, each recorded once it ran (see
    // directory/accepts-flag-repair.ts).
    id: 'referrals-0007-repairs',
    sql: `
create table referral_repair (
  id text primary key,
  done_at timestamptz not null default now(),
  changed integer not null default 0
);
`,
  },
];

registerMigrations(referralMigrations);
