import { createHash } from 'node:crypto';
import type { Database } from '../../store/db/database';
import { OAuthError } from './errors';
import { randomSecret, safeEqual, tokenHash } from './passwords';
import { revokeFamily } from './refresh-tokens';
import type { Sql } from './users';

export interface CodeGrant {
  clientId: string;
  userId: string;
  redirectUri: string;
  /** PKCE S256 challenge: base64url(SHA-256(code_verifier)). */
  codeChallenge: string;
  scope: string;
  patient?: string;
  nonce?: string;
  purposeOfUse?: string;
}

const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

export function isPkceValue(v: unknown): v is string {
  return typeof v === 'string' && PKCE_VALUE.test(v);
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** Issues a one-time authorization code bound to client, redirect URI and PKCE challenge. */
export async function issueCode(db: Sql, grant: CodeGrant, ttlSeconds: number): Promise<string> {
  const code = randomSecret(32);
  await db.query(
    `insert into auth_codes (code_hash, client_id, user_id, redirect_uri, code_challenge, scope, patient, nonce,
       purpose_of_use, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(secs => $10))`,
    [
      tokenHash(code),
      grant.clientId,
      grant.userId,
      grant.redirectUri,
      grant.codeChallenge,
      grant.scope,
      grant.patient ?? null,
      grant.nonce ?? null,
      grant.purposeOfUse ?? null,
      ttlSeconds,
    ],
  );
  return code;
}

export interface RedeemedCode {
  userId: string;
  scope: string;
  patient?: string;
  nonce?: string;
  /** The purpose of use chosen on the authorization page. */
  purposeOfUse?: string;
  /** Refresh tokens issued from this code join this family, so a replayed code revokes them. */
  familyId: string;
}

/**
 * Redeems a code once. A second use revokes what the first use issued (RFC 6749 §4.1.2). The
 * client, redirect URI and PKCE verifier must match what the code was issued for.
 */
export async function redeemCode(
  db: Database,
  code: string,
  check: { clientId: string; redirectUri: string | undefined; codeVerifier: string | undefined },
  familyId: string,
): Promise<RedeemedCode> {
  const invalid = (msg: string): never => {
    throw new OAuthError('invalid_grant', msg);
  };
  if (typeof code !== 'string' || code.length > 200) invalid('The authorization code is not valid');
  if (!isPkceValue(check.codeVerifier)) invalid('code_verifier is missing or malformed (PKCE is required)');
  // Failures inside the transaction are returned, not thrown, so that a revocation commits.
  const result = await db.transaction(async (client): Promise<RedeemedCode | string> => {
    const { rows } = await client.query(
      `select client_id, user_id, redirect_uri, code_challenge, scope, patient, nonce, purpose_of_use, used_at, family_id,
              expires_at <= now() as expired
       from auth_codes where code_hash = $1 for update`,
      [tokenHash(code)],
    );
    const row = rows[0];
    if (!row || row.client_id !== check.clientId) return 'The authorization code is not valid';
    if (row.used_at) {
      if (row.family_id) await revokeFamily(client, row.family_id, 'authorization code reused');
      return 'The authorization code was already used';
    }
    if (row.expired) return 'The authorization code has expired';
    if (check.redirectUri !== row.redirect_uri)
      return 'redirect_uri does not match the authorization request';
    if (!safeEqual(pkceChallenge(check.codeVerifier as string), row.code_challenge))
      return 'code_verifier does not match the code_challenge';
    await client.query('update auth_codes set used_at = now(), family_id = $2 where code_hash = $1', [
      tokenHash(code),
      familyId,
    ]);
    return {
      userId: row.user_id,
      scope: row.scope,
      patient: row.patient ?? undefined,
      nonce: row.nonce ?? undefined,
      purposeOfUse: row.purpose_of_use ?? undefined,
      familyId,
    };
  });
  return typeof result === 'string' ? invalid(result) : result;
}
