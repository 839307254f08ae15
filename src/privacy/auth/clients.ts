import type { JSONWebKeySet } from 'jose';
import type { AccessLevel, CallerOrganization } from '../caller';
import { hashPassword, randomSecret, verifyPassword } from './passwords';
import { formatScopes, nonResourceScopes, parseScopes } from './scopes';
import { checkAccess, checkOrganization, rowToStanding, type Role, type Sql } from './users';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
export type GrantType = 'client_credentials' | 'authorization_code' | 'refresh_token';

export interface ClientRecord {
  clientId: string;
  name: string;
  /** How the client proves itself at the token endpoint; `none` for public apps (PKCE only). */
  authMethod: ClientAuthMethod;
  hasSecret: boolean;
  /** Public keys for `private_key_jwt` (SMART Backend Services), inline or at `jwksUri`. */
  jwks?: JSONWebKeySet;
  jwksUri?: string;
  redirectUris: string[];
  grantTypes: GrantType[];
  /** The most this client may be granted, e.g. `system/*.rs` or `patient/*.rs user/*.cruds openid`. */
  scope: string;
  organization?: CallerOrganization;
  accessLevel: AccessLevel;
  roles: Role[];
  purposeOfUse: string;
  disabled: boolean;
}

export interface NewClient {
  clientId?: string;
  name: string;
  /** For confidential clients with a secret; generated (and returned once) when omitted. */
  secret?: string;
  authMethod?: ClientAuthMethod;
  jwks?: JSONWebKeySet;
  jwksUri?: string;
  redirectUris?: string[];
  grantTypes?: GrantType[];
  scope: string;
  organization?: CallerOrganization;
  accessLevel?: AccessLevel;
  roles?: Role[];
  purposeOfUse?: string;
}

const GRANTS: GrantType[] = ['client_credentials', 'authorization_code', 'refresh_token'];
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{1,127}$/;

const COLUMNS = `client_id, name, auth_method, secret_hash is not null as has_secret, jwks, jwks_uri, redirect_uris,
  grant_types, scope, organization_id, organization_kind, hipaa_covered, part2_program, access_level, roles,
  purpose_of_use, disabled`;

function rowToClient(r: any): ClientRecord {
  return {
    clientId: r.client_id,
    name: r.name,
    authMethod: r.auth_method,
    hasSecret: r.has_secret,
    jwks: r.jwks ? (typeof r.jwks === 'string' ? JSON.parse(r.jwks) : r.jwks) : undefined,
    jwksUri: r.jwks_uri ?? undefined,
    redirectUris: r.redirect_uris ?? [],
    grantTypes: r.grant_types ?? [],
    scope: r.scope,
    ...rowToStanding(r),
  };
}

function checkRedirectUri(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error(`Redirect URI '${uri}' is not an absolute URL`);
  }
  if (url.hash) throw new Error(`Redirect URI '${uri}' must not have a fragment`);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new Error(`Redirect URI '${uri}' must use https (http only on localhost)`);
}

/**
 * Registers an OAuth client. A system (SMART Backend Services) client gets `jwks` or `jwksUri` and
 * `authMethod: 'private_key_jwt'`, or a secret; an app gets `redirectUris` and `authorization_code`.
 * Returns the record and, when Kith generated it, the secret (shown once: only its hash is kept).
 */
export async function createClient(
  db: Sql,
  input: NewClient,
): Promise<{ client: ClientRecord; secret?: string }> {
  const clientId = input.clientId ?? `kith-${randomSecret(9)}`;
  if (!CLIENT_ID.test(clientId)) throw new Error(`Client id '${clientId}' has unsupported characters`);
  const grantTypes =
    input.grantTypes ?? (input.redirectUris?.length ? ['authorization_code'] : ['client_credentials']);
  for (const g of grantTypes) if (!GRANTS.includes(g)) throw new Error(`Unknown grant type '${g}'`);
  const authMethod: ClientAuthMethod =
    input.authMethod ??
    (input.jwks || input.jwksUri
      ? 'private_key_jwt'
      : input.secret || grantTypes.includes('client_credentials')
        ? 'client_secret_basic'
        : 'none');
  if (authMethod === 'private_key_jwt' && !input.jwks && !input.jwksUri)
    throw new Error('A private_key_jwt client needs jwks or jwksUri');
  if (authMethod === 'none' && grantTypes.includes('client_credentials'))
    throw new Error('A public client (no authentication) cannot use client_credentials');
  if (input.jwksUri) new URL(input.jwksUri);
  if (input.jwks && !Array.isArray(input.jwks.keys))
    throw new Error('jwks must be a JWK Set: { "keys": [...] }');
  for (const uri of input.redirectUris ?? []) checkRedirectUri(uri);
  if (grantTypes.includes('authorization_code') && !input.redirectUris?.length)
    throw new Error('An authorization_code client needs at least one redirect URI');
  const roles = input.roles ?? [];
  const accessLevel = input.accessLevel ?? 'view-only';
  checkAccess(accessLevel, roles);
  checkOrganization(input.organization);
  const scope = formatScopes(parseScopes(input.scope), nonResourceScopes(input.scope));
  if (!scope) throw new Error(`No scope Kith understands in '${input.scope}'`);

  const usesSecret = authMethod === 'client_secret_basic' || authMethod === 'client_secret_post';
  const secret = usesSecret ? (input.secret ?? randomSecret()) : undefined;
  if (secret !== undefined && secret.length < 16)
    throw new Error('A client secret needs at least 16 characters');
  const org = input.organization;
  try {
    const { rows } = await db.query(
      `insert into auth_clients (client_id, name, auth_method, secret_hash, jwks, jwks_uri, redirect_uris, grant_types,
         scope, organization_id, organization_kind, hipaa_covered, part2_program, access_level, roles, purpose_of_use)
       values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       returning ${COLUMNS}`,
      [
        clientId,
        input.name,
        authMethod,
        secret !== undefined ? await hashPassword(secret) : null,
        input.jwks ? JSON.stringify(input.jwks) : null,
        input.jwksUri ?? null,
        input.redirectUris ?? [],
        grantTypes,
        scope,
        org?.id ?? null,
        org?.kind ?? null,
        org?.hipaaCoveredEntity ?? false,
        org?.part2Program ?? false,
        accessLevel,
        roles,
        input.purposeOfUse ?? (grantTypes.includes('client_credentials') ? 'HOPERAT' : 'TREAT'),
      ],
    );
    return { client: rowToClient(rows[0]), secret: input.secret === undefined ? secret : undefined };
  } catch (err: any) {
    if (err?.code === '23505') throw new Error(`The client id '${clientId}' is taken`, { cause: err });
    throw err;
  }
}

export async function findClient(db: Sql, clientId: string): Promise<ClientRecord | undefined> {
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) return undefined;
  const { rows } = await db.query(`select ${COLUMNS} from auth_clients where client_id = $1`, [clientId]);
  return rows[0] ? rowToClient(rows[0]) : undefined;
}

export async function listClients(db: Sql): Promise<ClientRecord[]> {
  const { rows } = await db.query(`select ${COLUMNS} from auth_clients order by client_id`);
  return rows.map(rowToClient);
}

export async function setClientDisabled(db: Sql, clientId: string, disabled: boolean): Promise<void> {
  const r = await db.query('update auth_clients set disabled = $2, updated_at = now() where client_id = $1', [
    clientId,
    disabled,
  ]);
  if (!r.rowCount) throw new Error(`No client '${clientId}'`);
  if (disabled)
    await db.query(
      `update auth_refresh_tokens set revoked_at = now(), revoked_reason = 'client disabled'
       where client_id = $1 and revoked_at is null`,
      [clientId],
    );
}

/** Checks a client secret against its stored hash (Argon2id). */
export async function verifyClientSecret(db: Sql, clientId: string, secret: string): Promise<boolean> {
  const { rows } = await db.query('select secret_hash from auth_clients where client_id = $1', [clientId]);
  return verifyPassword(rows[0]?.secret_hash, secret);
}
