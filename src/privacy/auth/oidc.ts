import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Caller } from '../caller';
import type { OidcConfig } from './config';
import { TokenError } from './errors';
import { callerForUser, userScopeCeiling } from './principals';
import { narrowScopes, parseScopes } from './scopes';
import { joseToTokenError } from './tokens';
import { findUsersBy, type Sql, type UserRecord } from './users';

export interface Discovery {
  issuer: string;
  jwks_uri: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  [k: string]: unknown;
}

/**
 * Trust in an external OpenID Connect provider: its tokens (JWT access or ID tokens) are verified
 * against the keys its discovery document names, and their claims are mapped to a Kith user, who
 * must exist and be enabled. The provider says who someone is; Kith still says what they may do.
 */
export class OidcTrust {
  private keys: JWTVerifyGetKey | undefined;
  private discovery: Discovery | undefined;
  private failedAt = 0;

  constructor(
    private readonly db: Sql,
    readonly config: OidcConfig,
    readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** Fetches `${issuer}/.well-known/openid-configuration` once (again after a failure, at most every 30 s). */
  async discover(): Promise<Discovery> {
    if (this.discovery) return this.discovery;
    if (Date.now() - this.failedAt < 30_000)
      throw new TokenError('provider-unavailable', 'The identity provider is unavailable');
    try {
      const res = await this.fetchImpl(`${this.config.issuer}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(5000),
        headers: { accept: 'application/json' },
      });
      if (!res.ok) throw new Error(`discovery answered ${res.status}`);
      const doc = (await res.json()) as Discovery;
      if (doc.issuer?.replace(/\/+$/, '') !== this.config.issuer)
        throw new Error(`discovery names issuer '${doc.issuer}', not '${this.config.issuer}'`);
      if (typeof doc.jwks_uri !== 'string') throw new Error('discovery has no jwks_uri');
      this.keys = createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: 5000 });
      this.discovery = doc;
      return doc;
    } catch {
      this.failedAt = Date.now();
      throw new TokenError('provider-unavailable', 'The identity provider is unavailable');
    }
  }

  /** True when a token's (unverified) issuer is this provider: the token should be checked here. */
  claimsIssuer(iss: unknown): boolean {
    return typeof iss === 'string' && iss.replace(/\/+$/, '') === this.config.issuer;
  }

  async verify(token: string): Promise<Caller> {
    await this.discover();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys as JWTVerifyGetKey, {
        issuer: [this.config.issuer, `${this.config.issuer}/`],
        audience: this.config.audience,
        algorithms: this.config.algorithms,
        clockTolerance: 30,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (err) {
      throw joseToTokenError(err);
    }
    const user = await this.userFor(payload);
    const ceiling = userScopeCeiling(user);
    // A provider may carry SMART scopes; without them the user gets their ceiling.
    const requested = parseScopes(typeof payload.scope === 'string' ? payload.scope : '');
    const scopes = requested.length ? narrowScopes(requested, ceiling) : ceiling;
    return callerForUser(user, { scopes });
  }

  /**
   * Verifies an ID token from the provider's token endpoint for Kith's own sign-in: signature by the
   * provider's keys, issuer, audience Kith's client id, expiry, and the nonce Kith sent. Returns the claims.
   */
  async verifyIdToken(token: string, expect: { clientId: string; nonce: string }): Promise<JWTPayload> {
    await this.discover();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys as JWTVerifyGetKey, {
        issuer: [this.config.issuer, `${this.config.issuer}/`],
        audience: expect.clientId,
        algorithms: this.config.algorithms,
        clockTolerance: 30,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (err) {
      throw joseToTokenError(err);
    }
    if (payload.nonce !== expect.nonce)
      throw new TokenError('nonce', 'The identity provider answered for another sign-in (nonce)');
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expect.clientId)
      throw new TokenError('audience', 'The ID token was issued to another client (azp)');
    return payload;
  }

  /** The Kith user the claims name: the first match rule whose claim finds exactly one user. */
  async userFor(payload: JWTPayload): Promise<UserRecord> {
    for (const rule of this.config.match) {
      const value = payload[rule.claim];
      if (typeof value !== 'string' || value === '') continue;
      // An address the provider says it has not verified proves nothing.
      if (rule.field === 'email' && payload.email_verified === false) continue;
      const users = await findUsersBy(this.db, rule.field, value);
      if (users.length !== 1) continue;
      if (users[0].disabled) throw new TokenError('disabled', 'This account is disabled');
      return users[0];
    }
    throw new TokenError('unknown-user', 'The identity provider vouches for someone who has no Kith account');
  }
}
