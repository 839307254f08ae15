/** Settings of sign-in and tokens, read from the environment; each has a working default. */
export type SigningAlg = 'ES256' | 'RS256';

/** How a claim of an external identity provider's token finds a Kith user. */
export interface OidcClaimMatch {
  claim: string;
  field: 'external_subject' | 'email' | 'username';
}

export interface OidcConfig {
  /** The provider's issuer URL; its discovery document is `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  /** The audience Kith expects in the provider's tokens (often Kith's client id there). */
  audience?: string;
  /** Tried in order; the first claim that names exactly one enabled user wins. */
  match: OidcClaimMatch[];
  algorithms: string[];
  /**
   * Kith's own client at the provider, for signing users in to the web app (authorization code +
   * PKCE). Without it the provider's tokens still work on the API, and the sign-in page offers no
   * "Sign in with" button.
   */
  clientId?: string;
  /** Its secret, for a confidential client (sent with HTTP Basic); a public client uses PKCE alone. */
  clientSecret?: string;
  /** The provider's name on the sign-in button ("Sign in with <displayName>"). */
  displayName?: string;
  /** Scopes asked of the provider; default `openid profile email`. */
  scope?: string;
  /** The callback registered at the provider; default `<this request's origin>/auth/oidc/callback`. */
  redirectUri?: string;
}

export interface LoginLimits {
  /** Failed sign-ins allowed per username and IP address inside `windowSeconds`. */
  maxFailures: number;
  windowSeconds: number;
  /** How long sign-in stays locked for that username and address after the limit is reached. */
  lockoutSeconds: number;
}

export interface AuthConfig {
  /** `iss` of Kith's tokens and the base of its endpoints: the server's public URL. */
  issuer: string;
  /** `aud` values Kith's access tokens carry and accept; the first is put in new tokens. */
  audience: string[];
  signingAlg: SigningAlg;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  /** Refresh tokens issued for `offline_access`. */
  offlineRefreshTokenTtl: number;
  authCodeTtl: number;
  login: LoginLimits;
  oidc?: OidcConfig;
  /** Origins allowed to call the API from a browser (CORS); `*` allows any. */
  corsOrigins: string[];
}

const DEFAULT_MATCH: OidcClaimMatch[] = [
  { claim: 'sub', field: 'external_subject' },
  { claim: 'email', field: 'email' },
  { claim: 'preferred_username', field: 'username' },
];

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive whole number, not '${raw}'`);
  return n;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * `KITH_OIDC_MATCH`: `claim=field` pairs, comma-separated, tried in order; field is one of
 * external_subject, email, username. Default: `sub=external_subject,email=email,preferred_username=username`.
 */
export function parseOidcMatch(text: string | undefined): OidcClaimMatch[] {
  if (!text) return DEFAULT_MATCH;
  return text.split(',').map((pair) => {
    const [claim, field] = pair.split('=').map((s) => s.trim());
    if (!claim || !['external_subject', 'email', 'username'].includes(field))
      throw new Error(`KITH_OIDC_MATCH: '${pair}' is not claim=external_subject|email|username`);
    return { claim, field: field as OidcClaimMatch['field'] };
  });
}

export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const issuer = trimSlash(
    env.KITH_AUTH_ISSUER || env.KITH_BASE_URL || `http://localhost:${env.PORT ? Number(env.PORT) : 8080}`,
  );
  const audience = env.KITH_AUTH_AUDIENCE
    ? env.KITH_AUTH_AUDIENCE.split(',').map((s) => trimSlash(s.trim()))
    : [`${issuer}/fhir`];
  const alg = env.KITH_SIGNING_ALG || 'ES256';
  if (alg !== 'ES256' && alg !== 'RS256')
    throw new Error(`KITH_SIGNING_ALG must be ES256 or RS256, not '${alg}'`);
  const oidcIssuer = env.KITH_OIDC_ISSUER ? trimSlash(env.KITH_OIDC_ISSUER) : undefined;
  return {
    issuer,
    audience,
    signingAlg: alg,
    accessTokenTtl: seconds(env, 'KITH_ACCESS_TOKEN_TTL', 15 * 60),
    refreshTokenTtl: seconds(env, 'KITH_REFRESH_TOKEN_TTL', 12 * 3600),
    offlineRefreshTokenTtl: seconds(env, 'KITH_OFFLINE_TOKEN_TTL', 30 * 24 * 3600),
    authCodeTtl: seconds(env, 'KITH_AUTH_CODE_TTL', 60),
    login: {
      maxFailures: seconds(env, 'KITH_LOGIN_MAX_FAILURES', 5),
      windowSeconds: seconds(env, 'KITH_LOGIN_WINDOW', 15 * 60),
      lockoutSeconds: seconds(env, 'KITH_LOGIN_LOCKOUT', 15 * 60),
    },
    oidc: oidcIssuer
      ? {
          issuer: oidcIssuer,
          audience: env.KITH_OIDC_AUDIENCE || undefined,
          match: parseOidcMatch(env.KITH_OIDC_MATCH),
          algorithms: (env.KITH_OIDC_ALGORITHMS || 'RS256,ES256,PS256,RS384,ES384')
            .split(',')
            .map((s) => s.trim()),
          clientId: env.KITH_OIDC_CLIENT_ID || undefined,
          clientSecret: env.KITH_OIDC_CLIENT_SECRET || undefined,
          displayName: env.KITH_OIDC_NAME || undefined,
          scope: env.KITH_OIDC_SCOPE || undefined,
          redirectUri: env.KITH_OIDC_REDIRECT_URI || undefined,
        }
      : undefined,
    corsOrigins: (env.KITH_CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => trimSlash(s.trim()))
      .filter(Boolean),
  };
}
