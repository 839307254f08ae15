import { parse as parseQuery } from 'node:querystring';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FhirError, operationOutcome } from '../../fhir/errors';
import { authorizePage, authorizeSubmit } from './authorize';
import { openidConfiguration, smartConfiguration } from './discovery';
import { OAuthError } from './errors';
import { authenticateClient, handleTokenRequest } from './token-endpoint';
import { OIDC_STATE_COOKIE, OidcLogin, localReturnPath } from './oidc-login';
import { bearerToken } from './require-auth';
import type { AuthService } from './service';
import { PURPOSE_NAMES, selectablePurposes } from '../policy/purposes';

export interface AuthRoutesOptions {
  auth: AuthService;
  /** Extra URLs clients may use as the `aud` of a client assertion (the default is `${issuer}/oauth2/token`). */
  tokenUrls?: string[];
  /** Mark the refresh cookie Secure: 'auto' (default) when the request came over https. */
  secureCookie?: boolean | 'auto';
}

export const REFRESH_COOKIE = 'kith_refresh';
const FHIR_JSON = 'application/fhir+json';

function cookieValue(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

function setRefreshCookie(
  req: FastifyRequest,
  reply: FastifyReply,
  value: string,
  maxAge: number,
  secure: boolean | 'auto',
): void {
  const isSecure = secure === 'auto' ? req.protocol === 'https' : secure;
  reply.header(
    'set-cookie',
    `${REFRESH_COOKIE}=${encodeURIComponent(value)}; Path=/auth; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${isSecure ? '; Secure' : ''}`,
  );
}

const body = (req: FastifyRequest): Record<string, unknown> =>
  req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};

const context = (req: FastifyRequest) => ({ ip: req.ip, userAgent: req.headers['user-agent'] });

/**
 * Sign-in, OAuth 2.0 and SMART discovery routes. Register at the root:
 * `app.register(authRoutes, { auth })`. Errors of /oauth2/token are OAuth JSON; the others answer
 * an OperationOutcome. Nothing here needs a token except GET /auth/me.
 */
export async function authRoutes(app: FastifyInstance, opts: AuthRoutesOptions): Promise<void> {
  const { auth } = opts;
  const secure = opts.secureCookie ?? 'auto';
  const tokenUrls = [`${auth.config.issuer}/oauth2/token`, ...(opts.tokenUrls ?? [])];

  if (!app.hasContentTypeParser('application/x-www-form-urlencoded'))
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, text, done) =>
      done(null, parseQuery(text.toString())),
    );

  app.setErrorHandler((err: any, req, reply) => {
    reply.header('cache-control', 'no-store');
    if (err instanceof OAuthError) {
      if (err.error === 'invalid_client' && req.headers.authorization?.startsWith('Basic'))
        reply.header('www-authenticate', 'Basic realm="kith"');
      return reply.code(err.status).send(err.toJSON());
    }
    let fhirErr: FhirError;
    if (err instanceof FhirError) fhirErr = err;
    else if (typeof err?.statusCode === 'number' && err.statusCode < 500)
      fhirErr = new FhirError('invalid_value', err.message);
    else {
      req.log.error(err);
      fhirErr = new FhirError('internal', 'The server could not complete the request; the error was logged');
    }
    if (req.url.startsWith('/oauth2/token') && fhirErr.status < 500)
      return reply.code(400).send(new OAuthError('invalid_request', fhirErr.message).toJSON());
    const retryAfter = (fhirErr as FhirError & { retryAfter?: number }).retryAfter;
    if (retryAfter) reply.header('retry-after', String(retryAfter));
    return reply
      .code(fhirErr.status)
      .header('content-type', FHIR_JSON)
      .send(JSON.stringify(fhirErr.toOperationOutcome()));
  });

  // ---- the web app's own sign-in ----
  app.post('/auth/login', async (req, reply) => {
    // JSON only: a cross-site form cannot send it without a CORS preflight (no login CSRF).
    if (!req.headers['content-type']?.startsWith('application/json'))
      throw new FhirError('invalid_value', 'Sign-in takes a JSON body: { "username", "password" }');
    const b = body(req);
    const result = await auth.login(
      { username: b.username, password: b.password, purposeOfUse: b.purposeOfUse },
      context(req),
    );
    setRefreshCookie(req, reply, result.refresh_token, auth.config.refreshTokenTtl, secure);
    return reply.header('cache-control', 'no-store').send(result);
  });

  // ---- the web app's sign-in through the trusted OpenID Connect provider ----
  const oidcLogin = auth.oidc && OidcLogin.offer(auth) ? new OidcLogin(auth, auth.oidc) : undefined;
  const isSecure = (req: FastifyRequest) => (secure === 'auto' ? req.protocol === 'https' : secure);
  const stateCookie = (req: FastifyRequest, value: string, maxAge: number) =>
    // Lax: the provider sends the browser back with a top-level GET from its own site.
    `${OIDC_STATE_COOKIE}=${encodeURIComponent(value)}; Path=/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${isSecure(req) ? '; Secure' : ''}`;
  const signInFailed = (reply: FastifyReply, req: FastifyRequest, err: unknown) => {
    const message =
      err instanceof FhirError && err.status < 500
        ? err.message
        : 'Sign-in through the identity provider failed; try again';
    if (!(err instanceof FhirError)) req.log.error(err);
    return reply
      .code(303)
      .header('cache-control', 'no-store')
      .header('set-cookie', stateCookie(req, '', 0))
      .header('location', `/?sign_in_error=${encodeURIComponent(message)}`)
      .send();
  };

  // What the sign-in page offers: "Sign in with <name>" when Kith has a client at the provider.
  app.get('/auth/oidc', async (_req, reply) =>
    reply.header('cache-control', 'no-store').send(OidcLogin.offer(auth) ?? { name: null }),
  );

  app.get('/auth/oidc/start', async (req, reply) => {
    if (!oidcLogin)
      throw new FhirError('not_found', 'Sign-in through an identity provider is not configured');
    const q = (req.query ?? {}) as Record<string, unknown>;
    try {
      const { location, cookie } = await oidcLogin.begin({
        origin: `${req.protocol}://${req.host}`,
        purposeOfUse: q.purposeOfUse,
        returnTo: q.return,
      });
      return reply
        .code(302)
        .header('cache-control', 'no-store')
        .header('set-cookie', stateCookie(req, cookie, 600))
        .header('location', location)
        .send();
    } catch (err) {
      return signInFailed(reply, req, err);
    }
  });

  app.get('/auth/oidc/callback', async (req, reply) => {
    if (!oidcLogin)
      throw new FhirError('not_found', 'Sign-in through an identity provider is not configured');
    try {
      const { session, returnTo } = await oidcLogin.finish(
        (req.query ?? {}) as Record<string, unknown>,
        cookieValue(req, OIDC_STATE_COOKIE),
        context(req),
      );
      // The web app resumes the session from the refresh cookie (as after a reload): no token in a URL.
      return reply
        .code(303)
        .header('cache-control', 'no-store')
        .header('set-cookie', [
          stateCookie(req, '', 0),
          `${REFRESH_COOKIE}=${encodeURIComponent(session.refresh_token)}; Path=/auth; HttpOnly; SameSite=Strict; Max-Age=${auth.config.refreshTokenTtl}${isSecure(req) ? '; Secure' : ''}`,
        ])
        .header('location', localReturnPath(returnTo))
        .send();
    } catch (err) {
      return signInFailed(reply, req, err);
    }
  });

  // The purposes a sign-in page offers (the server refuses those the user's organization may not use).
  app.get('/auth/purposes', async (_req, reply) =>
    reply
      .header('cache-control', 'public, max-age=300')
      .send(selectablePurposes().map((code) => ({ code, name: PURPOSE_NAMES[code] ?? code }))),
  );

  app.post('/auth/refresh', async (req, reply) => {
    const token = (body(req).refresh_token as string | undefined) ?? cookieValue(req, REFRESH_COOKIE);
    if (!token) throw new FhirError('unauthenticated', 'No refresh token: sign in again');
    const result = await auth.refreshSession(token, context(req));
    setRefreshCookie(req, reply, result.refresh_token as string, auth.config.refreshTokenTtl, secure);
    return reply.header('cache-control', 'no-store').send(result);
  });

  app.post('/auth/logout', async (req, reply) => {
    const token = (body(req).refresh_token as string | undefined) ?? cookieValue(req, REFRESH_COOKIE);
    if (token) await auth.logout(token, context(req));
    setRefreshCookie(req, reply, '', 0, secure);
    return reply.code(204).send();
  });

  // Emergency access with a stated reason (needs the user's token; the policy decides what it opens).
  app.post('/auth/break-glass', async (req, reply) => {
    if (!req.headers['content-type']?.startsWith('application/json'))
      throw new FhirError('invalid_value', 'Break-glass takes a JSON body: { "reason", "minutes" }');
    const caller = req.caller ?? (await auth.verifyAccessToken(bearerToken(req) ?? ''));
    const b = body(req);
    const result = await auth.breakGlass(
      caller,
      { reason: b.reason, minutes: b.minutes },
      context(req),
      cookieValue(req, REFRESH_COOKIE),
    );
    return reply.header('cache-control', 'no-store').send(result);
  });

  // Ends the user's break-glass early (the web session's grant when its cookie comes along).
  app.post('/auth/break-glass/end', async (req, reply) => {
    const caller = req.caller ?? (await auth.verifyAccessToken(bearerToken(req) ?? ''));
    const ended = await auth.endBreakGlass(caller, context(req), cookieValue(req, REFRESH_COOKIE));
    return reply.header('cache-control', 'no-store').send({ ended });
  });

  app.get('/auth/me', async (req, reply) => {
    const caller = req.caller ?? (await auth.verifyAccessToken(bearerToken(req) ?? ''));
    return reply.header('cache-control', 'no-store').send(caller);
  });

  // ---- OAuth 2.0 / SMART ----
  app.post('/oauth2/token', async (req, reply) => {
    if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded'))
      throw new OAuthError('invalid_request', 'The token request must be application/x-www-form-urlencoded');
    const result = await handleTokenRequest(auth, body(req), {
      ...context(req),
      authorization: req.headers.authorization,
      tokenUrls,
    });
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(result);
  });

  // RFC 7009: always 200, whether or not the token was known.
  app.post('/oauth2/revoke', async (req, reply) => {
    const b = body(req);
    const client = await authenticateClient(auth, b, {
      ...context(req),
      authorization: req.headers.authorization,
      tokenUrls,
    });
    if (typeof b.token === 'string') await auth.logout(b.token, context(req), client.clientId);
    return reply.header('cache-control', 'no-store').code(200).send();
  });

  app.get('/oauth2/authorize', (req, reply) => authorizePage(auth, req, reply));
  app.post('/oauth2/authorize', (req, reply) => authorizeSubmit(auth, req, reply));

  const smart = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply.header('cache-control', 'public, max-age=300').send(smartConfiguration(auth.config));
  app.get('/.well-known/smart-configuration', smart);
  app.get('/fhir/.well-known/smart-configuration', smart);
  app.get('/.well-known/openid-configuration', async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(openidConfiguration(auth.config)),
  );
  app.get('/.well-known/jwks.json', async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(auth.jwks()),
  );
}

/** An OperationOutcome body for a 401, for hooks that answer before a route runs. */
export function unauthenticatedOutcome(message: string) {
  return operationOutcome('unauthenticated', [{ diagnostics: message }]);
}
