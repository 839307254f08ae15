import { randomUUID } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { AccessLevel, Caller, CallerOrganization } from '../caller';
import type { AuthConfig } from './config';
import { TokenError } from './errors';
import type { SigningKeys } from './keys';
import { formatScopes, parseScopes } from './scopes';
import { ACCESS_LEVELS, ORGANIZATION_KINDS, ROLES } from './users';

/** Kith's own claims in its access tokens: what the policy needs, so no lookup is needed per request. */
export interface KithClaims {
  kind: 'user' | 'client';
  name?: string;
  practitionerRole?: string;
  org?: { id: string; kind: string; hipaa: boolean; part2: boolean };
  level: AccessLevel;
  roles: string[];
  pou: string;
  breakGlass?: { until: string; reason: string; id?: string };
}

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
  scope: string;
  jti: string;
}

const MAX_TOKEN_LENGTH = 16 * 1024;

/** A token that passed `verify`: the key that signed it, its expiry (ms) and its caller. */
interface VerifiedToken {
  kid: string | undefined;
  alg: string;
  expiresAt: number;
  caller: Caller;
}

/** Signs access tokens (JWT, `typ: at+jwt`) for a Caller, and turns verified tokens back into one. */
export class AccessTokens {
  constructor(
    private readonly config: AuthConfig,
    private readonly keys: SigningKeys,
  ) {}

  async issue(
    caller: Caller,
    opts: { nonResourceScopes?: string[]; ttl?: number } = {},
  ): Promise<IssuedAccessToken> {
    if (caller.kind === 'anonymous') throw new Error('No token for an anonymous caller');
    const ttl = opts.ttl ?? this.config.accessTokenTtl;
    const scope = formatScopes(caller.scopes, opts.nonResourceScopes ?? []);
    const org = caller.organization;
    const kith: KithClaims = {
      kind: caller.kind,
      name: caller.displayName,
      practitionerRole: caller.practitionerRole,
      org: org
        ? { id: org.id, kind: org.kind, hipaa: org.hipaaCoveredEntity, part2: org.part2Program }
        : undefined,
      level: caller.accessLevel,
      roles: caller.roles,
      pou: caller.purposeOfUse,
      breakGlass: caller.breakGlass,
    };
    const jti = randomUUID();
    const { kid, alg, key } = this.keys.signingKey();
    const token = await new SignJWT({
      scope,
      client_id: caller.clientId ?? (caller.kind === 'client' ? caller.subject : undefined),
      fhirUser: caller.practitionerRole,
      patient: caller.patient,
      kith,
    })
      .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
      .setIssuer(this.config.issuer)
      .setAudience(this.config.audience[0])
      .setSubject(caller.subject)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttl)
      .setJti(jti)
      .sign(key);
    return { token, expiresIn: ttl, scope, jti };
  }

  /**
   * Verifies signature (by `kid`, ES256/RS256 only: `alg: none` and HMAC are refused), `typ`,
   * issuer, audience, expiry (30 s leeway), and returns the Caller the token describes.
   */
  async verify(token: string): Promise<Caller> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)
      throw new TokenError('malformed', 'The access token is not a signed JWT');
    // A token verified before passed every check below, its header included (it is part of the
    // token): only its expiry and its signing key's still being known are left to ask.
    const known = this.verified.get(token);
    if (known && Date.now() < known.expiresAt) {
      const key = await this.keys.verificationKey(known.kid);
      if (key && key.alg === known.alg) return structuredClone(known.caller);
    }
    if (token.split('.').length !== 3)
      throw new TokenError('malformed', 'The access token is not a signed JWT');
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new TokenError('malformed', 'The access token is not a signed JWT');
    }
    if (header.alg !== 'ES256' && header.alg !== 'RS256')
      throw new TokenError('algorithm', `Tokens signed with '${String(header.alg)}' are not accepted`);
    if (header.typ !== 'at+jwt') throw new TokenError('type', 'The token is not an access token');
    const found = await this.keys.verificationKey(header.kid);
    if (!found || found.alg !== header.alg)
      throw new TokenError('unknown-key', 'The access token was signed with a key Kith does not know');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, found.key, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: [found.alg],
        typ: 'at+jwt',
        clockTolerance: 30,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (err) {
      throw joseToTokenError(err);
    }
    const caller = callerFromClaims(payload);
    this.remember(token, {
      kid: header.kid,
      alg: found.alg,
      expiresAt: (payload.exp as number) * 1000,
      caller,
    });
    return structuredClone(caller);
  }

  /**
   * Tokens already verified, until they expire: a client sends the same token with every request,
   * and an ES256 check is the largest CPU cost of a small read. Access tokens cannot be revoked
   * before they expire (see README), so a cached answer is the answer the check would give; the
   * signing key must still be known, so a removed key still ends its tokens.
   */
  private readonly verified = new Map<string, VerifiedToken>();

  private remember(token: string, verified: VerifiedToken): void {
    if (this.verified.size >= 10_000) this.verified.clear();
    this.verified.set(token, verified);
  }
}

/** Maps jose's verification errors to Kith's reasons, with messages that reveal nothing secret. */
export function joseToTokenError(err: unknown): TokenError {
  if (err instanceof TokenError) return err;
  if (err instanceof errors.JWTExpired) return new TokenError('expired', 'The access token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return new TokenError('issuer', 'The access token was issued by another issuer');
    if (err.claim === 'aud')
      return new TokenError('audience', 'The access token is meant for another audience');
    if (err.claim === 'nbf' || err.claim === 'iat')
      return new TokenError('not-yet-valid', 'The access token is not valid yet');
    if (err.claim === 'typ') return new TokenError('type', 'The token is not an access token');
    return new TokenError('claims', `The access token's '${err.claim}' claim is not acceptable`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new TokenError('signature', 'The access token signature does not verify');
  if (err instanceof errors.JOSEAlgNotAllowed)
    return new TokenError('algorithm', 'The access token uses an algorithm Kith does not accept');
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
    return new TokenError('unknown-key', 'The access token was signed with a key Kith does not know');
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JOSENotSupported)
    return new TokenError('provider-unavailable', 'The token could not be checked now');
  return new TokenError('malformed', 'The access token is not valid');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Builds the Caller from a verified token's claims, checking their shape. */
export function callerFromClaims(payload: JWTPayload): Caller {
  const k = payload.kith as Partial<KithClaims> | undefined;
  const bad = (what: string): never => {
    throw new TokenError('claims', `The access token's ${what} is not acceptable`);
  };
  if (!k || typeof k !== 'object') return bad('kith claim');
  if (k.kind !== 'user' && k.kind !== 'client') return bad('kind');
  if (!ACCESS_LEVELS.includes(k.level as AccessLevel)) return bad('access level');
  const roles = Array.isArray(k.roles) ? k.roles : bad('roles');
  if (!roles.every((r) => ROLES.includes(r as never))) bad('roles');
  if (typeof k.pou !== 'string') bad('purpose of use');
  let organization: CallerOrganization | undefined;
  if (k.org) {
    if (typeof k.org.id !== 'string' || !ORGANIZATION_KINDS.includes(k.org.kind as never))
      bad('organization');
    organization = {
      id: k.org.id,
      kind: k.org.kind as CallerOrganization['kind'],
      hipaaCoveredEntity: k.org.hipaa === true,
      part2Program: k.org.part2 === true,
    };
  }
  const caller: Caller = {
    kind: k.kind,
    subject: str(payload.sub) ?? bad('subject'),
    accessLevel: k.level as AccessLevel,
    roles: roles as Caller['roles'],
    purposeOfUse: k.pou as string,
    scopes: parseScopes(typeof payload.scope === 'string' ? payload.scope : ''),
  };
  if (str(k.name)) caller.displayName = k.name;
  if (str(k.practitionerRole)) caller.practitionerRole = k.practitionerRole;
  if (organization) caller.organization = organization;
  if (str(payload.patient)) caller.patient = payload.patient as string;
  if (str(payload.client_id) && payload.client_id !== caller.subject)
    caller.clientId = payload.client_id as string;
  if (k.breakGlass && typeof k.breakGlass.until === 'string' && typeof k.breakGlass.reason === 'string') {
    // An expired grant is dropped, not trusted: the token may outlive it.
    if (Date.parse(k.breakGlass.until) > Date.now())
      caller.breakGlass = {
        until: k.breakGlass.until,
        reason: k.breakGlass.reason,
        ...(typeof k.breakGlass.id === 'string' ? { id: k.breakGlass.id } : {}),
      };
  }
  return caller;
}
