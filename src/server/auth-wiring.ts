import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import {
  DEFAULT_API_PREFIXES,
  DEFAULT_PUBLIC_PATHS,
  authRoutes,
  requireAuth,
  requireRestScopes,
  requireRole,
  securityHeaders,
} from '../privacy/auth';
import { auditRoutes } from '../audit';
import type { Kith } from './open';

/**
 * Reachable without a token: metadata, discovery, sign-in, health (the auth module's list), and
 * referral links, whose unguessable signed token is itself the credential of a receiving
 * organization without an account.
 */
export const PUBLIC_PATHS = [...DEFAULT_PUBLIC_PATHS, '/referral-link/*'];

/** Paths that are APIs: a GET anywhere else is the web app's pages and files, which load without a token. */
export const API_PREFIXES = [...DEFAULT_API_PREFIXES, '/notify'];

/** API areas that only some roles may use at all, whatever the token's scopes. */
const ROLE_GATES: { prefix: string; roles: ('administrator' | 'data-steward')[] }[] = [
  // Channel pushes and replays write as the system: administrators only.
  { prefix: '/api/integration', roles: ['administrator'] },
];

/**
 * Sign-in and tokens on the HTTP app: security headers and CORS, a verified caller on every
 * request (`req.caller`) or 401 on protected paths, SMART scope checks on FHIR REST interactions,
 * the sign-in, OAuth and discovery routes, and the audit API. Register before any route, so every
 * route (including those added after buildApp: the web app, integration) is behind the hooks.
 */
export async function installAuth(app: FastifyInstance, kith: Kith): Promise<void> {
  await app.register(securityHeaders, {
    corsOrigins: kith.auth.config.corsOrigins,
    isPage: (req: FastifyRequest) => {
      const path = req.url.split('?')[0];
      return !API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
    },
  });
  // onRequest, before the body is read: an unauthenticated client cannot make the server parse it.
  const authenticate = requireAuth({
    auth: kith.auth,
    publicPaths: PUBLIC_PATHS,
    apiPrefixes: API_PREFIXES,
  }) as unknown as onRequestAsyncHookHandler;
  app.addHook('onRequest', authenticate);
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0];
    for (const gate of ROLE_GATES)
      if (path === gate.prefix || path.startsWith(`${gate.prefix}/`)) requireRole(req, ...gate.roles);
  });
  app.addHook('preHandler', requireRestScopes('/fhir'));
  await app.register(authRoutes, { auth: kith.auth });
  await app.register(auditRoutes, { db: kith.db });
}
