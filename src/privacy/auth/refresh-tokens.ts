import { randomUUID } from 'node:crypto';
import type { Database } from '../../store/db/database';
import { OAuthError } from './errors';
import { randomSecret, tokenHash } from './passwords';
import type { Sql } from './users';

export interface RefreshGrant {
  userId?: string;
  clientId?: string;
  scope: string;
  /** `Patient/<id>` when the grant is bound to one patient. */
  patient?: string;
  purposeOfUse?: string;
  /** Rotation keeps the family; a new sign-in starts one. */
  familyId?: string;
  ttl: number;
}

export interface StoredRefresh extends Required<Pick<RefreshGrant, 'scope' | 'familyId'>> {
  userId?: string;
  clientId?: string;
  patient?: string;
  purposeOfUse?: string;
}

/** Issues an opaque refresh token (256 random bits); only its SHA-256 is stored. */
export async function issueRefreshToken(db: Sql, grant: RefreshGrant): Promise<string> {
  const token = randomSecret(32);
  await db.query(
    `insert into auth_refresh_tokens (token_hash, family_id, user_id, client_id, scope, patient, purpose_of_use, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))`,
    [
      tokenHash(token),
      grant.familyId ?? randomUUID(),
      grant.userId ?? null,
      grant.clientId ?? null,
      grant.scope,
      grant.patient ?? null,
      grant.purposeOfUse ?? null,
      grant.ttl,
    ],
  );
  return token;
}

export type RotateOutcome =
  | { ok: true; grant: StoredRefresh; token: string }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'reused' | 'wrong-client'; error: OAuthError };

/**
 * Uses a refresh token once: marks it used and issues its successor in the same family. A token
 * presented a second time means it was stolen or replayed, so its whole family is revoked
 * (OAuth 2.0 Security BCP §4.14). `clientId` must match the client the token was issued to
 * (undefined: Kith's web app).
 */
export async function rotateRefreshToken(
  db: Database,
  token: string,
  clientId: string | undefined,
  ttl: number | ((grant: StoredRefresh) => number),
): Promise<RotateOutcome> {
  const fail = (reason: Exclude<RotateOutcome, { ok: true }>['reason'], msg: string): RotateOutcome => ({
    ok: false,
    reason,
    error: new OAuthError('invalid_grant', msg),
  });
  if (typeof token !== 'string' || token.length < 20 || token.length > 200)
    return fail('unknown', 'The refresh token is not valid');
  return db.transaction(async (client) => {
    const { rows } = await client.query(
      `select family_id, user_id, client_id, scope, patient, purpose_of_use, used_at, revoked_at,
              expires_at <= now() as expired
       from auth_refresh_tokens where token_hash = $1 for update`,
      [tokenHash(token)],
    );
    const row = rows[0];
    if (!row) return fail('unknown', 'The refresh token is not valid');
    if ((row.client_id ?? undefined) !== clientId)
      return fail('wrong-client', 'The refresh token is not valid');
    if (row.revoked_at) return fail('revoked', 'The refresh token has been revoked');
    if (row.used_at) {
      await revokeFamily(client, row.family_id, 'refresh token reused');
      return fail('reused', 'The refresh token was already used; its sessions are revoked');
    }
    if (row.expired) return fail('expired', 'The refresh token has expired');
    await client.query('update auth_refresh_tokens set used_at = now() where token_hash = $1', [
      tokenHash(token),
    ]);
    const grant: StoredRefresh = {
      familyId: row.family_id,
      scope: row.scope,
      userId: row.user_id ?? undefined,
      clientId: row.client_id ?? undefined,
      patient: row.patient ?? undefined,
      purposeOfUse: row.purpose_of_use ?? undefined,
    };
    const next = await issueRefreshToken(client, {
      ...grant,
      ttl: typeof ttl === 'number' ? ttl : ttl(grant),
    });
    return { ok: true, grant, token: next };
  });
}

export async function revokeFamily(db: Sql, familyId: string, reason: string): Promise<number> {
  const r = await db.query(
    `update auth_refresh_tokens set revoked_at = now(), revoked_reason = $2
     where family_id = $1 and revoked_at is null`,
    [familyId, reason],
  );
  return r.rowCount ?? 0;
}

/**
 * Revokes a refresh token and every token of its family (sign-out). Returns the user or client it
 * belonged to, or undefined when the token is unknown. `clientId`, when given, must match.
 */
export async function revokeRefreshToken(
  db: Sql,
  token: string,
  reason: string,
  clientId?: string | null,
): Promise<{ userId?: string; clientId?: string } | undefined> {
  if (typeof token !== 'string' || token.length > 200) return undefined;
  const { rows } = await db.query(
    'select family_id, user_id, client_id from auth_refresh_tokens where token_hash = $1',
    [tokenHash(token)],
  );
  const row = rows[0];
  if (!row) return undefined;
  if (clientId !== null && clientId !== undefined && row.client_id !== clientId) return undefined;
  await revokeFamily(db, row.family_id, reason);
  return { userId: row.user_id ?? undefined, clientId: row.client_id ?? undefined };
}
