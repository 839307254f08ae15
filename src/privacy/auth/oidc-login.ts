import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import { FhirError } from '../../fhir/errors';
import { TokenError } from './errors';
import type { OidcTrust } from './oidc';
import { checkedPurposeInput, type AuthService, type LoginResult, type RequestContext } from './service';

/**
 * Signing users in to Kith's own web app through the trusted OpenID Connect provider: the
 * authorization code flow with PKCE (S256), `state` and `nonce`. The pending sign-in (state, nonce,
 * PKCE verifier, redirect URI, purpose, where to return) travels in an HttpOnly cookie as a JWT
 * signed with Kith's key (`typ: kith-oidc-state+jwt`, 10 minutes), so any node can finish it; the
 * provider's ID token is checked against its JWKS (issuer, audience = Kith's client id, nonce), and
 * its claims find the Kith user by the same match rules as the provider's tokens on the API.
 */
export const OIDC_STATE_COOKIE = 'kith_oidc';
export const OIDC_CALLBACK_PATH = '/auth/oidc/callback';
const STATE_TYP = 'kith-oidc-state+jwt';
const STATE_TTL = 600;

interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  purposeOfUse?: string;
  returnTo: string;
}

/** A path inside the web app to come back to; anything else (another origin, `//host`) is `/`. */
export function localReturnPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\'))
    return '/';
  return value.slice(0, 2000);
}

const random = () => randomBytes(32).toString('base64url');

export class OidcLogin {
  constructor(
    private readonly auth: AuthService,
    private readonly trust: OidcTrust,
  ) {}

  /** What the sign-in page needs to offer the button; undefined when Kith has no client at the provider. */
  static offer(auth: AuthService): { name: string } | undefined {
    const c = auth.config.oidc;
    if (!c?.clientId) return undefined;
    return { name: c.displayName ?? new URL(c.issuer).host };
  }

  private get clientId(): string {
    const id = this.trust.config.clientId;
    if (!id) throw new FhirError('not_found', 'Sign-in through an identity provider is not configured');
    return id;
  }

  /**
   * Starts a sign-in: the provider's authorization URL to send the browser to, and the pending
   * sign-in as a sealed cookie value.
   */
  async begin(input: {
    origin: string;
    purposeOfUse?: unknown;
    returnTo?: unknown;
  }): Promise<{ location: string; cookie: string }> {
    const clientId = this.clientId;
    const purposeOfUse = checkedPurposeInput(input.purposeOfUse);
    const discovery = await this.trust.discover();
    if (typeof discovery.authorization_endpoint !== 'string' || typeof discovery.token_endpoint !== 'string')
      throw new TokenError(
        'provider-unavailable',
        'The identity provider names no authorization or token endpoint',
      );
    const pending: PendingLogin = {
      state: random(),
      nonce: random(),
      verifier: random(),
      redirectUri: this.trust.config.redirectUri ?? `${input.origin}${OIDC_CALLBACK_PATH}`,
      ...(purposeOfUse ? { purposeOfUse } : {}),
      returnTo: localReturnPath(input.returnTo),
    };
    const url = new URL(discovery.authorization_endpoint);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: pending.redirectUri,
      scope: this.trust.config.scope ?? 'openid profile email',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: createHash('sha256').update(pending.verifier).digest('base64url'),
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return { location: url.toString(), cookie: await this.seal(pending) };
  }

  /**
   * Finishes a sign-in at the callback: checks the state against the cookie, exchanges the code
   * (with the PKCE verifier) at the provider's token endpoint, verifies the ID token, finds the Kith
   * user and opens a session for them. Failures are recorded as failed sign-ins.
   */
  async finish(
    query: Record<string, unknown>,
    cookie: string | undefined,
    ctx: RequestContext,
  ): Promise<{ session: LoginResult; returnTo: string }> {
    let pending: PendingLogin | undefined;
    let subject: string | undefined;
    try {
      pending = await this.open(cookie);
      if (typeof query.state !== 'string' || query.state !== pending.state)
        throw new TokenError('state', 'The sign-in answer does not belong to this browser (state)');
      if (typeof query.error === 'string')
        throw new TokenError(
          'claims',
          `The identity provider refused the sign-in: ${String(query.error_description ?? query.error).slice(0, 200)}`,
        );
      if (typeof query.code !== 'string' || !query.code)
        throw new TokenError('claims', 'The identity provider sent no authorization code');
      const idToken = await this.exchange(query.code, pending);
      const claims = await this.trust.verifyIdToken(idToken, {
        clientId: this.clientId,
        nonce: pending.nonce,
      });
      subject = typeof claims.sub === 'string' ? claims.sub : undefined;
      const user = await this.trust.userFor(claims);
      const session = await this.auth.startSession(user, pending.purposeOfUse, {
        ...ctx,
        username: user.username,
        grantType: 'oidc',
      });
      return { session, returnTo: pending.returnTo };
    } catch (err) {
      if (err instanceof TokenError)
        await this.auth.emit({
          type: 'login-failed',
          outcome: 'failure',
          ...ctx,
          ...(subject ? { username: `${this.trust.config.issuer}|${subject}` } : {}),
          grantType: 'oidc',
          reason: err.reason,
        });
      throw err;
    }
  }

  private async exchange(code: string, pending: PendingLogin): Promise<string> {
    const discovery = await this.trust.discover();
    const { clientId, clientSecret } = this.trust.config;
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: pending.redirectUri,
      code_verifier: pending.verifier,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (clientSecret)
      headers.authorization = `Basic ${Buffer.from(
        `${encodeURIComponent(clientId ?? '')}:${encodeURIComponent(clientSecret)}`,
      ).toString('base64')}`;
    else form.set('client_id', clientId ?? '');
    let res: Response;
    try {
      res = await this.trust.fetchImpl(String(discovery.token_endpoint), {
        method: 'POST',
        headers,
        body: form.toString(),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw new TokenError('provider-unavailable', 'The identity provider could not be reached');
    }
    const body = (await res.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown };
    if (!res.ok || typeof body.id_token !== 'string')
      throw new TokenError(
        'claims',
        `The identity provider did not give an ID token${typeof body.error === 'string' ? ` (${body.error})` : ''}`,
      );
    return body.id_token;
  }

  private async seal(pending: PendingLogin): Promise<string> {
    const { kid, alg, key } = this.auth.keys.signingKey();
    return new SignJWT({ ...pending })
      .setProtectedHeader({ alg, kid, typ: STATE_TYP })
      .setIssuer(this.auth.config.issuer)
      .setAudience(`${this.auth.config.issuer}${OIDC_CALLBACK_PATH}`)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + STATE_TTL)
      .sign(key);
  }

  private async open(cookie: string | undefined): Promise<PendingLogin> {
    const lost = () =>
      new TokenError('state', 'The sign-in started too long ago or in another browser; start it again');
    if (!cookie) throw lost();
    try {
      const header = decodeProtectedHeader(cookie);
      if (header.typ !== STATE_TYP) throw lost();
      const found = await this.auth.keys.verificationKey(header.kid);
      if (!found) throw lost();
      const { payload } = await jwtVerify(cookie, found.key, {
        algorithms: [found.alg],
        issuer: this.auth.config.issuer,
        audience: `${this.auth.config.issuer}${OIDC_CALLBACK_PATH}`,
        typ: STATE_TYP,
      });
      return payload as unknown as PendingLogin;
    } catch {
      throw lost();
    }
  }
}
