import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, type JSONWebKeySet } from 'jose';
import { FhirError } from '../../fhir/errors';
import type { Database } from '../../store/db/database';
import type { Caller } from '../caller';
import { loadAuthConfig, type AuthConfig } from './config';
import { TokenError } from './errors';
import { SigningKeys } from './keys';
import { LoginLimiter } from './login-limit';
import { OidcTrust } from './oidc';
import type { PatientAccess } from './patient-access';
import { verifyPassword } from './passwords';
import { callerForUser, userScopeCeiling } from './principals';
import { issueRefreshToken, revokeRefreshToken, rotateRefreshToken } from './refresh-tokens';
import { formatScopes, narrowScopes, nonResourceScopes, parseScopes } from './scopes';
import { AccessTokens } from './tokens';
import { purposeProblem } from '../policy/purposes';
import {
  activeBreakGlass,
  endBreakGlass,
  recordBreakGlass,
  refreshFamily,
  sessionBreakGlass,
  type BreakGlassGrant,
} from './break-glass-grants';
import { defaultPolicy } from '../policy/default-policy';
import { findLogin, findUserById, type UserRecord } from './users';
import './migrations';

/** Something that happened in sign-in; the audit module records these (failed sign-ins above all). */
export interface AuthEvent {
  type:
    | 'login'
    | 'login-failed'
    | 'logout'
    | 'token'
    | 'token-failed'
    | 'refresh'
    | 'refresh-failed'
    | 'break-glass';
  outcome: 'success' | 'failure';
  at: string;
  ip?: string;
  userAgent?: string;
  /** The username as typed, for sign-in attempts. */
  username?: string;
  userId?: string;
  clientId?: string;
  /** Who the issued token speaks for, on success. */
  caller?: Caller;
  grantType?: string;
  /** Why it failed: bad-password, unknown-user, disabled, locked, invalid_client, reused ...; the stated reason of a break-glass. */
  reason?: string;
}

export type AuthEventListener = (event: AuthEvent) => void | Promise<void>;

export interface RequestContext {
  ip?: string;
  userAgent?: string;
}

/** What the token endpoint and sign-in answer (RFC 6749 §5.1 plus SMART's context fields). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
  /** SMART launch context: the bare Patient id. */
  patient?: string;
  /** A renewal of a session with an active break-glass grant: the grant it still carries. */
  breakGlass?: BreakGlassGrant;
}

export interface LoginResult extends TokenResponse {
  refresh_token: string;
  user: {
    id: string;
    username: string;
    displayName: string;
    practitionerRole?: string;
    organization?: UserRecord['organization'];
    accessLevel: UserRecord['accessLevel'];
    roles: UserRecord['roles'];
    purposeOfUse: string;
  };
}

export interface AuthServiceOptions {
  config?: AuthConfig;
  onAuthEvent?: AuthEventListener;
  /** For OIDC discovery (tests may pass their own). */
  fetch?: typeof fetch;
}

/**
 * Sign-in, tokens and their verification, over one database. `AuthService.open` loads (or on the
 * first start creates) the signing key; `verifyAccessToken` is what every request goes through.
 */
export class AuthService {
  readonly keys: SigningKeys;
  readonly tokens: AccessTokens;
  readonly limiter: LoginLimiter;
  readonly oidc?: OidcTrust;
  private readonly listeners: AuthEventListener[] = [];
  private patientAccess?: PatientAccess;

  private constructor(
    readonly db: Database,
    readonly config: AuthConfig,
    opts: AuthServiceOptions,
  ) {
    this.keys = new SigningKeys(db, config.signingAlg);
    this.tokens = new AccessTokens(config, this.keys);
    this.limiter = new LoginLimiter(db, config.login);
    if (config.oidc) this.oidc = new OidcTrust(db, config.oidc, opts.fetch);
    if (opts.onAuthEvent) this.listeners.push(opts.onAuthEvent);
  }

  /** The migrations must have run (openKith runs them once this module is imported). */
  static async open(db: Database, opts: AuthServiceOptions = {}): Promise<AuthService> {
    const service = new AuthService(db, opts.config ?? loadAuthConfig(), opts);
    await service.keys.init();
    return service;
  }

  /** How the authorization page asks whether a user may see the patient an app's token is bound to. */
  setPatientAccess(access: PatientAccess): void {
    this.patientAccess = access;
  }

  /** Whether the caller may see Patient/<id>; false (fail closed) when no check is wired. */
  async patientVisible(caller: Caller, patientId: string): Promise<boolean> {
    return this.patientAccess ? this.patientAccess(caller, patientId) : false;
  }

  /** Adds a listener for sign-in events (the audit module's recorder, typically). */
  onAuthEvent(listener: AuthEventListener): void {
    this.listeners.push(listener);
  }

  async emit(event: Omit<AuthEvent, 'at'>): Promise<void> {
    const full: AuthEvent = { at: new Date().toISOString(), ...event };
    for (const l of this.listeners) await l(full);
  }

  /**
   * The Caller a bearer token speaks for. Kith's own tokens are checked against its keys; a token
   * whose issuer is the trusted OpenID Connect provider is checked against the provider's keys.
   * Throws `TokenError` (401) for anything else: expired, wrong issuer or audience, `alg: none`,
   * a bad signature, an unknown key, an unknown or disabled user.
   */
  async verifyAccessToken(token: string): Promise<Caller> {
    if (typeof token !== 'string' || token === '')
      throw new TokenError('missing', 'An access token is required');
    if (this.oidc) {
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch {
        iss = undefined;
      }
      if (iss !== this.config.issuer && this.oidc.claimsIssuer(iss)) return this.oidc.verify(token);
    }
    const caller = await this.tokens.verify(token);
    if (caller.breakGlass) {
      // The grant's server record decides, not the token: ended early or past its end, it no
      // longer opens anything, whatever the token says. A grant no record names is not trusted.
      const { id } = caller.breakGlass;
      const grant = id ? await activeBreakGlass(this.db, id, caller.subject) : undefined;
      if (grant) caller.breakGlass = grant;
      else delete caller.breakGlass;
    }
    return caller;
  }

  jwks(): JSONWebKeySet {
    return this.keys.jwks();
  }

  rotateSigningKey(): Promise<string> {
    return this.keys.rotate();
  }

  /** Sign-in for the web app: username and password, rate limited per username and address. */
  async login(
    input: { username: unknown; password: unknown; purposeOfUse?: unknown },
    ctx: RequestContext,
  ): Promise<LoginResult> {
    const username = typeof input.username === 'string' ? input.username.slice(0, 256) : '';
    const password = typeof input.password === 'string' ? input.password : '';
    if (!username || !password) throw new FhirError('invalid_value', 'username and password are required');
    const purposeOfUse = checkedPurposeInput(input.purposeOfUse);
    const user = await this.checkPassword(username, password, ctx);
    return this.startSession(user, purposeOfUse, { ...ctx, username });
  }

  /**
   * Opens a web-app session for a user whose identity is settled (a password checked, or an external
   * provider's ID token verified): checks the purpose, issues the access and refresh tokens, and
   * records the sign-in.
   */
  async startSession(
    user: UserRecord,
    purposeOfUse: string | undefined,
    ctx: RequestContext & { username: string; grantType?: string },
  ): Promise<LoginResult> {
    const { grantType, ...eventCtx } = ctx;
    if (purposeOfUse) await this.requirePurpose(user, purposeOfUse, eventCtx);
    const ceiling = userScopeCeiling(user);
    const caller = callerForUser(user, { scopes: ceiling, purposeOfUse });
    const access = await this.tokens.issue(caller);
    const refresh = await issueRefreshToken(this.db, {
      userId: user.id,
      scope: access.scope,
      purposeOfUse,
      ttl: this.config.refreshTokenTtl,
    });
    await this.emit({
      type: 'login',
      outcome: 'success',
      ...eventCtx,
      userId: user.id,
      caller,
      ...(grantType ? { grantType } : {}),
    });
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      scope: access.scope,
      refresh_token: refresh,
      user: {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        practitionerRole: user.practitionerRole,
        organization: user.organization,
        accessLevel: user.accessLevel,
        roles: user.roles,
        purposeOfUse: caller.purposeOfUse,
      },
    };
  }

  /**
   * Checks a username and password under the sign-in limit; reports failures. Returns the enabled
   * user, or throws 401 (one message for every cause) or 429 while locked.
   */
  async checkPassword(username: string, password: string, ctx: RequestContext): Promise<UserRecord> {
    const key = LoginLimiter.key(username, ctx.ip ?? 'unknown');
    const wait = await this.limiter.lockedFor(key);
    if (wait > 0) {
      await this.emit({ type: 'login-failed', outcome: 'failure', ...ctx, username, reason: 'locked' });
      throw lockedError(wait);
    }
    const found = await findLogin(this.db, username);
    const ok = await verifyPassword(found?.passwordHash, password);
    if (!ok || !found || found.user.disabled) {
      const reason = !found ? 'unknown-user' : !ok ? 'bad-password' : 'disabled';
      const lockout = await this.limiter.fail(key);
      await this.emit({
        type: 'login-failed',
        outcome: 'failure',
        ...ctx,
        username,
        userId: found?.user.id,
        reason,
      });
      if (lockout) throw lockedError(lockout);
      throw new FhirError('unauthenticated', 'Unknown username or wrong password');
    }
    await this.limiter.succeed(key);
    return found.user;
  }

  /**
   * Refuses (403, with the purposes the user may choose) a session for a purpose the policy does
   * not allow this user's organization and roles; the refusal is recorded as a failed sign-in.
   */
  async requirePurpose(
    user: UserRecord,
    purposeOfUse: string,
    ctx: RequestContext & { username?: string; clientId?: string },
  ): Promise<void> {
    const problem = purposeProblem(user, purposeOfUse);
    if (!problem) return;
    await this.emit({
      type: 'login-failed',
      outcome: 'failure',
      ...ctx,
      username: ctx.username ?? user.username,
      userId: user.id,
      reason: 'purpose-not-allowed',
    });
    throw new FhirError('forbidden', problem);
  }

  /**
   * Break-glass: emergency access for a signed-in user of a covered entity, with a stated reason,
   * for at most the policy's `breakGlass.maxMinutes`. Issues an access token for purpose ETREAT
   * carrying the grant (the policy then permits all of a person's data, consent denials included,
   * until it ends), and records it (AuditEvent `break-glass` with the reason). The session's
   * refresh token is not changed: a renewal returns to normal access.
   */
  async breakGlass(
    caller: Caller | undefined,
    input: { reason?: unknown; minutes?: unknown },
    ctx: RequestContext,
    refreshToken?: string,
  ): Promise<TokenResponse & { breakGlass: BreakGlassGrant }> {
    const policy = defaultPolicy.breakGlass;
    if (!caller || caller.kind !== 'user')
      throw new FhirError('forbidden', 'Break-glass is for a signed-in user');
    const user = await findUserById(this.db, caller.subject);
    if (!user || user.disabled) throw new FhirError('unauthenticated', 'This account is disabled');
    if (caller.patient)
      throw new FhirError('forbidden', 'Break-glass is not available to an app bound to one patient');
    if (policy.requireCoveredEntity && !user.organization?.hipaaCoveredEntity)
      throw new FhirError(
        'forbidden',
        'Break-glass is for staff of a HIPAA covered entity giving emergency treatment',
      );
    const reason = typeof input.reason === 'string' ? input.reason.trim().slice(0, 500) : '';
    if (reason.length < 10)
      throw new FhirError('invalid_value', 'State the emergency: a reason of at least 10 characters');
    const asked = input.minutes === undefined ? 60 : Number(input.minutes);
    if (!Number.isInteger(asked) || asked < 1)
      throw new FhirError('invalid_value', 'minutes must be a whole number of minutes');
    const minutes = Math.min(asked, policy.maxMinutes);
    const until = new Date(Date.now() + minutes * 60_000).toISOString();
    // Asked from a web session (its refresh cookie came along): renewing that session keeps it.
    const familyId = refreshToken ? await refreshFamily(this.db, refreshToken, user.id) : undefined;
    const grant = await recordBreakGlass(this.db, {
      userId: user.id,
      ...(familyId ? { familyId } : {}),
      reason,
      until,
    });
    const next: Caller = {
      ...callerForUser(user, { scopes: caller.scopes, purposeOfUse: policy.purpose }),
      ...(caller.clientId ? { clientId: caller.clientId } : {}),
      breakGlass: grant,
    };
    const access = await this.tokens.issue(next, {
      ttl: Math.min(this.config.accessTokenTtl, minutes * 60),
    });
    await this.emit({
      type: 'break-glass',
      outcome: 'success',
      ...ctx,
      username: user.username,
      userId: user.id,
      caller: next,
      reason,
    });
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      scope: access.scope,
      breakGlass: grant,
    };
  }

  /** Renews a web-app session: rotates the refresh token and issues a new access token. */
  async refreshSession(refreshToken: unknown, ctx: RequestContext): Promise<TokenResponse> {
    const result = await rotateRefreshToken(
      this.db,
      String(refreshToken ?? ''),
      undefined,
      this.config.refreshTokenTtl,
    );
    if (!result.ok) {
      await this.emit({ type: 'refresh-failed', outcome: 'failure', ...ctx, reason: result.reason });
      throw new FhirError('unauthenticated', result.error.description);
    }
    const user = result.grant.userId ? await findUserById(this.db, result.grant.userId) : undefined;
    if (!user || user.disabled) {
      await this.emit({
        type: 'refresh-failed',
        outcome: 'failure',
        ...ctx,
        userId: user?.id,
        reason: 'disabled',
      });
      throw new FhirError('unauthenticated', 'This account is disabled');
    }
    const purposeNow = result.grant.purposeOfUse && purposeProblem(user, result.grant.purposeOfUse);
    if (purposeNow) {
      // The policy or the account changed since sign-in: the chosen purpose no longer holds.
      await this.emit({
        type: 'refresh-failed',
        outcome: 'failure',
        ...ctx,
        userId: user.id,
        reason: 'purpose-not-allowed',
      });
      throw new FhirError('unauthenticated', `${purposeNow}. Sign in again.`);
    }
    const scopes = narrowScopes(parseScopes(result.grant.scope), userScopeCeiling(user));
    const normal = callerForUser(user, { scopes, purposeOfUse: result.grant.purposeOfUse });
    // A break-glass grant asked from this session holds until its own end, across renewals.
    const grant = await sessionBreakGlass(this.db, user.id, result.grant.familyId);
    const caller: Caller = grant
      ? {
          ...callerForUser(user, { scopes, purposeOfUse: defaultPolicy.breakGlass.purpose }),
          breakGlass: grant,
        }
      : normal;
    const access = await this.tokens.issue(caller, {
      ...(grant
        ? {
            ttl: Math.max(
              1,
              Math.min(this.config.accessTokenTtl, Math.floor((Date.parse(grant.until) - Date.now()) / 1000)),
            ),
          }
        : {}),
    });
    await this.emit({ type: 'refresh', outcome: 'success', ...ctx, userId: user.id, caller });
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      scope: access.scope,
      refresh_token: result.token,
      ...(grant ? { breakGlass: grant } : {}),
    };
  }

  /** Ends a user's break-glass grants now (one session's when its refresh token is given). */
  async endBreakGlass(
    caller: Caller | undefined,
    ctx: RequestContext,
    refreshToken?: string,
  ): Promise<number> {
    if (!caller || caller.kind !== 'user')
      throw new FhirError('forbidden', 'Break-glass is for a signed-in user');
    const familyId = refreshToken ? await refreshFamily(this.db, refreshToken, caller.subject) : undefined;
    const ended = await endBreakGlass(this.db, caller.subject, familyId);
    if (ended)
      await this.emit({
        type: 'break-glass',
        outcome: 'success',
        ...ctx,
        userId: caller.subject,
        caller,
        reason: 'ended early',
      });
    return ended;
  }

  /** Sign-out: revokes the refresh token and its family. True when there was something to revoke. */
  async logout(refreshToken: unknown, ctx: RequestContext, clientId?: string): Promise<boolean> {
    const owner = await revokeRefreshToken(
      this.db,
      String(refreshToken ?? ''),
      'signed out',
      clientId ?? null,
    );
    if (owner)
      await this.emit({
        type: 'logout',
        outcome: 'success',
        ...ctx,
        userId: owner.userId,
        clientId: owner.clientId,
      });
    return owner !== undefined;
  }

  /** An OpenID Connect ID token for an app that asked for `openid` (and `fhirUser`). */
  async idToken(
    user: UserRecord,
    clientId: string,
    scope: string,
    nonce?: string,
  ): Promise<string | undefined> {
    const extra = nonResourceScopes(scope);
    if (!extra.includes('openid')) return undefined;
    const { kid, alg, key } = this.keys.signingKey();
    const claims: Record<string, unknown> = { name: user.displayName };
    if (extra.includes('fhirUser') && user.practitionerRole)
      claims.fhirUser = `${this.config.audience[0]}/${user.practitionerRole}`;
    if (extra.includes('profile')) claims.preferred_username = user.username;
    if (nonce) claims.nonce = nonce;
    return new SignJWT(claims)
      .setProtectedHeader({ alg, kid, typ: 'JWT' })
      .setIssuer(this.config.issuer)
      .setAudience(clientId)
      .setSubject(user.id)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.config.accessTokenTtl)
      .setJti(randomUUID())
      .sign(key);
  }

  /** Scope string of granted resource and non-resource scopes. */
  static scopeString(resource: ReturnType<typeof parseScopes>, requested: string): string {
    return formatScopes(resource, nonResourceScopes(requested));
  }
}

/** A purpose of use as a request gives it: absent, or an HL7 PurposeOfUse code (checked against the policy later). */
export function checkedPurposeInput(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !/^[A-Z][A-Z0-9]{1,19}$/.test(v))
    throw new FhirError(
      'invalid_value',
      'purposeOfUse must be an HL7 PurposeOfUse code such as TREAT or COC',
    );
  return v;
}

function lockedError(seconds: number): FhirError {
  const err = new FhirError(
    'too_many_requests',
    `Too many failed sign-ins; try again in ${Math.ceil(seconds / 60)} minute(s)`,
  );
  (err as FhirError & { retryAfter?: number }).retryAfter = seconds;
  return err;
}
