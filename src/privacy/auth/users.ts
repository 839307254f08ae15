import { randomUUID } from 'node:crypto';
import type { AccessLevel, CallerOrganization, OrganizationKind } from '../caller';
import { hashPassword, passwordProblem } from './passwords';

/** Anything that runs SQL: the Database, a pool or a client inside a transaction. */
export interface Sql {
  query(sql: string, params?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
}

export type Role = 'administrator' | 'data-steward';

export const ACCESS_LEVELS: AccessLevel[] = ['view-only', 'exchange', 'edit'];
export const ROLES: Role[] = ['administrator', 'data-steward'];
export const ORGANIZATION_KINDS: OrganizationKind[] = [
  'county-agency',
  'cbo',
  'state',
  'health-plan',
  'provider',
];

export interface UserRecord {
  id: string;
  username: string;
  email?: string;
  /** The subject at a trusted OpenID Connect provider. */
  externalSubject?: string;
  displayName: string;
  practitionerRole?: string;
  organization?: CallerOrganization;
  accessLevel: AccessLevel;
  roles: Role[];
  purposeOfUse: string;
  disabled: boolean;
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewUser {
  username: string;
  /** Omit for accounts that only sign in through an external OpenID Connect provider. */
  password?: string;
  displayName?: string;
  email?: string;
  externalSubject?: string;
  /** `PractitionerRole/<id>` the user acts as. */
  practitionerRole?: string;
  organization?: CallerOrganization;
  accessLevel: AccessLevel;
  roles?: Role[];
  /** Default HL7 PurposeOfUse; TREAT when omitted. */
  purposeOfUse?: string;
  disabled?: boolean;
}

const USERNAME = /^[a-z0-9][a-z0-9._@-]{1,63}$/;

export function normalizeUsername(username: string): string {
  return String(username ?? '')
    .trim()
    .toLowerCase();
}

export function checkOrganization(org: CallerOrganization | undefined): void {
  if (!org) return;
  if (!org.id || !ORGANIZATION_KINDS.includes(org.kind))
    throw new Error(`An organization needs an id and a kind (${ORGANIZATION_KINDS.join(', ')})`);
}

export function checkAccess(accessLevel: AccessLevel, roles: string[]): void {
  if (!ACCESS_LEVELS.includes(accessLevel))
    throw new Error(`Access level must be one of ${ACCESS_LEVELS.join(', ')}, not '${accessLevel}'`);
  for (const r of roles) if (!ROLES.includes(r as Role)) throw new Error(`Unknown role '${r}'`);
}

/** What a user account and an API client both carry: the organization they act for and what they may do. */
export interface Standing {
  organization?: CallerOrganization;
  accessLevel: AccessLevel;
  roles: Role[];
  purposeOfUse: string;
  disabled: boolean;
}

/** A Standing from the columns auth_users and auth_clients share. */
export function rowToStanding(r: any): Standing {
  return {
    organization: r.organization_id
      ? {
          id: r.organization_id,
          kind: r.organization_kind,
          hipaaCoveredEntity: r.hipaa_covered,
          part2Program: r.part2_program,
        }
      : undefined,
    accessLevel: r.access_level,
    roles: r.roles ?? [],
    purposeOfUse: r.purpose_of_use,
    disabled: r.disabled,
  };
}

const COLUMNS = `id, username, email, external_subject, password_hash is not null as has_password, display_name,
  practitioner_role, organization_id, organization_kind, hipaa_covered, part2_program, access_level, roles,
  purpose_of_use, disabled, created_at, updated_at`;

export function rowToUser(r: any): UserRecord {
  return {
    id: r.id,
    username: r.username,
    email: r.email ?? undefined,
    externalSubject: r.external_subject ?? undefined,
    displayName: r.display_name,
    practitionerRole: r.practitioner_role ?? undefined,
    ...rowToStanding(r),
    hasPassword: r.has_password,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Creates a user; the password is hashed with Argon2id. Throws on a taken username or bad input. */
export async function createUser(db: Sql, input: NewUser): Promise<UserRecord> {
  const username = normalizeUsername(input.username);
  if (!USERNAME.test(username))
    throw new Error(
      'A username has 2–64 characters: letters, digits and . _ @ - (starting with a letter or digit)',
    );
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password, username);
    if (problem) throw new Error(problem);
  }
  const roles = input.roles ?? [];
  checkAccess(input.accessLevel, roles);
  checkOrganization(input.organization);
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
  const org = input.organization;
  try {
    const { rows } = await db.query(
      `insert into auth_users (id, username, email, external_subject, password_hash, display_name, practitioner_role,
         organization_id, organization_kind, hipaa_covered, part2_program, access_level, roles, purpose_of_use,
         disabled, password_changed_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, case when $5::text is null then null else now() end)
       returning ${COLUMNS}`,
      [
        randomUUID(),
        username,
        input.email ?? null,
        input.externalSubject ?? null,
        passwordHash,
        input.displayName ?? username,
        input.practitionerRole ?? null,
        org?.id ?? null,
        org?.kind ?? null,
        org?.hipaaCoveredEntity ?? false,
        org?.part2Program ?? false,
        input.accessLevel,
        roles,
        input.purposeOfUse ?? 'TREAT',
        input.disabled ?? false,
      ],
    );
    return rowToUser(rows[0]);
  } catch (err: any) {
    if (err?.code === '23505')
      throw new Error(`The username '${username}' or its external subject is taken`, { cause: err });
    throw err;
  }
}

export async function findUserById(db: Sql, id: string): Promise<UserRecord | undefined> {
  const { rows } = await db.query(`select ${COLUMNS} from auth_users where id = $1`, [id]);
  return rows[0] ? rowToUser(rows[0]) : undefined;
}

export async function findUserByUsername(db: Sql, username: string): Promise<UserRecord | undefined> {
  const { rows } = await db.query(`select ${COLUMNS} from auth_users where username = $1`, [
    normalizeUsername(username),
  ]);
  return rows[0] ? rowToUser(rows[0]) : undefined;
}

/** The user and stored password hash for sign-in (the hash never leaves this module's callers). */
export async function findLogin(
  db: Sql,
  username: string,
): Promise<{ user: UserRecord; passwordHash: string | null } | undefined> {
  const { rows } = await db.query(`select ${COLUMNS}, password_hash from auth_users where username = $1`, [
    normalizeUsername(username),
  ]);
  return rows[0] ? { user: rowToUser(rows[0]), passwordHash: rows[0].password_hash } : undefined;
}

/** Users whose `field` equals `value` (email compares case-insensitively). */
export async function findUsersBy(
  db: Sql,
  field: 'external_subject' | 'email' | 'username',
  value: string,
): Promise<UserRecord[]> {
  const where =
    field === 'email'
      ? 'lower(email) = lower($1)'
      : field === 'username'
        ? 'username = lower($1)'
        : 'external_subject = $1';
  const { rows } = await db.query(`select ${COLUMNS} from auth_users where ${where} limit 2`, [value]);
  return rows.map(rowToUser);
}

export async function listUsers(db: Sql): Promise<UserRecord[]> {
  const { rows } = await db.query(`select ${COLUMNS} from auth_users order by username`);
  return rows.map(rowToUser);
}

/** Disables (or enables) a user; disabling also revokes their refresh tokens. */
export async function setUserDisabled(db: Sql, username: string, disabled: boolean): Promise<UserRecord> {
  const { rows } = await db.query(
    `update auth_users set disabled = $2, updated_at = now() where username = $1 returning ${COLUMNS}`,
    [normalizeUsername(username), disabled],
  );
  if (!rows[0]) throw new Error(`No user '${username}'`);
  if (disabled) await revokeUserRefreshTokens(db, rows[0].id, 'user disabled');
  return rowToUser(rows[0]);
}

/** Sets a new password and revokes the user's refresh tokens (their sessions end). */
export async function setUserPassword(db: Sql, username: string, password: string): Promise<UserRecord> {
  const name = normalizeUsername(username);
  const problem = passwordProblem(password, name);
  if (problem) throw new Error(problem);
  const { rows } = await db.query(
    `update auth_users set password_hash = $2, password_changed_at = now(), updated_at = now()
     where username = $1 returning ${COLUMNS}`,
    [name, await hashPassword(password)],
  );
  if (!rows[0]) throw new Error(`No user '${username}'`);
  await revokeUserRefreshTokens(db, rows[0].id, 'password changed');
  return rowToUser(rows[0]);
}

export async function revokeUserRefreshTokens(db: Sql, userId: string, reason: string): Promise<number> {
  const r = await db.query(
    `update auth_refresh_tokens set revoked_at = now(), revoked_reason = $2
     where user_id = $1 and revoked_at is null`,
    [userId, reason],
  );
  return r.rowCount ?? 0;
}

export async function countUsers(db: Sql): Promise<number> {
  const { rows } = await db.query('select count(*)::int as n from auth_users');
  return rows[0].n;
}
