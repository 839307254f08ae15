import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { FhirError, operationOutcome } from '../../fhir/errors';
import type { Caller } from '../caller';
import { TokenError } from './errors';
import { scopeAllows, type ScopeOp } from './scopes';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking, set by `requireAuth` from a verified bearer token; undefined on public paths. */
    caller?: Caller;
  }
}

/** A path pattern: exact (`/healthz`), a subtree (`/oauth2/*` matches `/oauth2` and below), or a RegExp. */
export type PathPattern = string | RegExp;

/** Reachable without a token: metadata, discovery, sign-in, OAuth endpoints and health. */
export const DEFAULT_PUBLIC_PATHS: PathPattern[] = [
  '/fhir/metadata',
  // Exact: anything else under /fhir/ would reach the FHIR routes (`/fhir/:type/:id`).
  '/fhir/.well-known/smart-configuration',
  '/.well-known/*',
  '/auth/login',
  '/auth/purposes',
  '/auth/refresh',
  '/auth/logout',
  '/auth/oidc',
  '/auth/oidc/start',
  '/auth/oidc/callback',
  '/oauth2/*',
  '/healthz',
];

/** Paths that are APIs; a GET outside them is the web app's pages and assets (public, like web.ts serves them). */
export const DEFAULT_API_PREFIXES = ['/fhir', '/api', '/auth', '/oauth2', '/.well-known', '/healthz'];

export interface RequireAuthOptions {
  /** Verifies a bearer token (an `AuthService`). */
  auth: { verifyAccessToken(token: string): Promise<Caller> };
  publicPaths?: PathPattern[];
  /** GET/HEAD outside these prefixes is treated as web app assets and pages, and is public. */
  apiPrefixes?: string[];
  /** Set false to require a token everywhere except `publicPaths`. Default true. */
  webAppPublic?: boolean;
}

export function matchesPath(pathname: string, pattern: PathPattern): boolean {
  if (pattern instanceof RegExp) return pattern.test(pathname);
  if (pattern.endsWith('/*')) {
    const base = pattern.slice(0, -2);
    return pathname === base || pathname.startsWith(`${base}/`);
  }
  return pathname === pattern;
}

/** The request's path without query, percent-decoded the way the router sees it. */
export function requestPath(req: FastifyRequest): string {
  const raw = req.url.split('?')[0];
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

function unauthorized(reply: FastifyReply, message: string, invalidToken: boolean): FastifyReply {
  const challenge = invalidToken
    ? `Bearer realm="kith", error="invalid_token", error_description="${message.replace(/"/g, "'")}"`
    : 'Bearer realm="kith"';
  return reply
    .code(401)
    .header('www-authenticate', challenge)
    .header('content-type', 'application/fhir+json')
    .header('cache-control', 'no-store')
    .send(JSON.stringify(operationOutcome('unauthenticated', [{ diagnostics: message }])));
}

/**
 * A preHandler hook that sets `req.caller` from `Authorization: Bearer`, and answers 401 with an
 * OperationOutcome when a protected path has no valid token. Public paths pass without one (a valid
 * token there still sets the caller). Use: `app.addHook('preHandler', requireAuth({ auth }))`.
 */
export function requireAuth(opts: RequireAuthOptions): preHandlerAsyncHookHandler {
  const publicPaths = opts.publicPaths ?? DEFAULT_PUBLIC_PATHS;
  const apiPrefixes = opts.apiPrefixes ?? DEFAULT_API_PREFIXES;
  const webAppPublic = opts.webAppPublic ?? true;

  const isPublic = (req: FastifyRequest): boolean => {
    const path = requestPath(req);
    if (publicPaths.some((p) => matchesPath(path, p))) return true;
    if (!webAppPublic || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    return !apiPrefixes.some((p) => matchesPath(path, `${p}/*`));
  };

  return async function kithRequireAuth(req, reply) {
    if (req.method === 'OPTIONS') return;
    const token = bearerToken(req);
    if (isPublic(req)) {
      if (token) req.caller = await opts.auth.verifyAccessToken(token).catch(() => undefined);
      return;
    }
    if (!token) {
      const message = req.headers.authorization
        ? 'The Authorization header must be: Bearer <access token>'
        : 'Sign in first: this request needs an access token';
      return unauthorized(reply, message, false);
    }
    try {
      req.caller = await opts.auth.verifyAccessToken(token);
    } catch (err) {
      if (err instanceof TokenError) return unauthorized(reply, err.message, true);
      throw err;
    }
  };
}

/** Throws 403 unless the request's caller has a scope for `op` on `type` (for routes outside the FHIR layer). */
export function requireScope(req: FastifyRequest, type: string, op: ScopeOp): Caller {
  const caller = req.caller;
  if (!caller) throw new FhirError('unauthenticated', 'Sign in first: this request needs an access token');
  if (!scopeAllows(caller, type, op))
    throw new FhirError('forbidden', `The token's scopes do not allow '${op}' on ${type}`);
  return caller;
}

/** Throws 403 unless the caller has one of the roles (administrator, data-steward). */
export function requireRole(req: FastifyRequest, ...roles: Caller['roles']): Caller {
  const caller = req.caller;
  if (!caller) throw new FhirError('unauthenticated', 'Sign in first: this request needs an access token');
  if (!caller.roles.some((r) => roles.includes(r)))
    throw new FhirError('forbidden', `This needs the ${roles.join(' or ')} role`);
  return caller;
}
