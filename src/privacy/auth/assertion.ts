import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
import { findClient, type ClientRecord } from './clients';
import { OAuthError } from './errors';
import type { Sql } from './users';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** SMART Backend Services requires RS384 and ES384; the others are accepted as well. */
export const ASSERTION_ALGORITHMS = ['RS384', 'ES384', 'RS256', 'ES256', 'RS512', 'ES512', 'PS256', 'PS384'];
const MAX_LIFETIME = 300;
const SKEW = 30;

const remoteSets = new Map<string, JWTVerifyGetKey>();

function keySetFor(client: ClientRecord): JWTVerifyGetKey {
  if (client.jwks) return createLocalJWKSet(client.jwks);
  const uri = client.jwksUri as string;
  let set = remoteSets.get(uri);
  if (!set) {
    set = createRemoteJWKSet(new URL(uri), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    remoteSets.set(uri, set);
  }
  return set;
}

/**
 * Authenticates a client by its signed JWT assertion (RFC 7523, SMART Backend Services):
 * `iss` = `sub` = client_id, `aud` = the token endpoint URL, `exp` at most five minutes ahead,
 * a `jti` not seen before from this client, signed by a key in the client's registered JWKS.
 */
export async function verifyClientAssertion(
  db: Sql,
  assertion: unknown,
  opts: { tokenUrls: string[]; clientId?: string },
): Promise<ClientRecord> {
  const invalid = (msg: string): never => {
    throw new OAuthError('invalid_client', msg);
  };
  if (typeof assertion !== 'string' || assertion.length > 16_384)
    return invalid('client_assertion is missing');
  let claims;
  try {
    claims = decodeJwt(assertion);
  } catch {
    return invalid('client_assertion is not a JWT');
  }
  const clientId = claims.iss;
  if (typeof clientId !== 'string' || claims.sub !== clientId)
    return invalid('client_assertion must have iss and sub equal to the client_id');
  if (opts.clientId !== undefined && opts.clientId !== clientId)
    return invalid('client_id does not match the assertion');
  const client = await findClient(db, clientId);
  if (!client || client.disabled) return invalid('Unknown or disabled client');
  if (client.authMethod !== 'private_key_jwt')
    return invalid('This client does not authenticate with private_key_jwt');

  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, keySetFor(client), {
      issuer: clientId,
      subject: clientId,
      audience: opts.tokenUrls,
      algorithms: ASSERTION_ALGORITHMS,
      clockTolerance: SKEW,
      requiredClaims: ['exp', 'jti'],
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) return invalid('client_assertion has expired');
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud')
      return invalid('client_assertion aud must be the token endpoint URL');
    if (err instanceof errors.JWKSNoMatchingKey) return invalid('client_assertion key is not registered');
    if (err instanceof errors.JWKSTimeout)
      throw new OAuthError('temporarily_unavailable', 'Client keys unavailable', 503);
    return invalid('client_assertion does not verify');
  }
  const now = Math.floor(Date.now() / 1000);
  const exp = payload.exp as number;
  if (exp - now > MAX_LIFETIME + SKEW) return invalid('client_assertion exp is more than five minutes ahead');
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length > 256) return invalid('client_assertion needs a jti');
  // One use per jti: the row outlives the assertion; expired rows are swept here now and then.
  if (Math.random() < 0.01) await db.query('delete from auth_assertion_jtis where expires_at < now()');
  const r = await db.query(
    `insert into auth_assertion_jtis (client_id, jti, expires_at) values ($1, $2, to_timestamp($3))
     on conflict do nothing`,
    [clientId, jti, exp + SKEW],
  );
  if (!r.rowCount) return invalid('client_assertion jti was already used');
  return client;
}
