import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface SecurityHeadersOptions {
  /** Allowed browser origins for cross-origin API calls (`KITH_CORS_ORIGINS`); `*` allows any. */
  corsOrigins?: string[];
  /** Send Strict-Transport-Security: 'auto' (default) when the request came over https. */
  hsts?: boolean | 'auto';
  /** Content-Security-Policy for HTML pages (the web app); API answers get a deny-all policy. */
  pageCsp?: string;
  /**
   * Requests whose answers are the web app's (pages and files), whatever their content type: a
   * 304 revalidating index.html carries no content type, and browsers adopt its CSP for the page.
   */
  isPage?: (req: FastifyRequest) => boolean;
}

/** The web app: scripts and styles from Kith itself, API calls to Kith itself, never framed. */
export const DEFAULT_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const ALLOWED_HEADERS =
  'Authorization, Content-Type, Accept, If-Match, If-None-Match, If-None-Exist, If-Modified-Since, Prefer, X-Request-Id';
const EXPOSED_HEADERS =
  'Location, Content-Location, ETag, Last-Modified, X-Request-Id, Retry-After, X-Progress';

/** `KITH_CORS_ORIGINS`: comma-separated origins (`https://app.example.org`), or `*`. */
export function parseCorsOrigins(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}

function corsOrigin(req: FastifyRequest, allowed: string[]): string | undefined {
  const origin = req.headers.origin;
  if (!origin || !allowed.length) return undefined;
  if (allowed.includes('*')) return '*';
  return allowed.includes(origin) ? origin : undefined;
}

function setCors(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin);
  if (origin !== '*') reply.header('vary', 'Origin');
  reply.header('access-control-expose-headers', EXPOSED_HEADERS);
}

/**
 * Security headers on every answer (X-Content-Type-Options, Referrer-Policy, CSP with
 * frame-ancestors 'none', HSTS over https, `Cache-Control: no-store` on API answers) and CORS for allowed origins, preflights included.
 * Registered with `app.register(securityHeaders, opts)`; applies to the whole app. Routes that
 * set their own Content-Security-Policy keep it.
 */
export async function securityHeaders(
  app: FastifyInstance,
  opts: SecurityHeadersOptions = {},
): Promise<void> {
  const allowed = opts.corsOrigins ?? [];
  const hsts = opts.hsts ?? 'auto';
  const pageCsp = opts.pageCsp ?? DEFAULT_PAGE_CSP;

  app.addHook('onRequest', async (req, reply) => {
    const origin = corsOrigin(req, allowed);
    // A CORS preflight: answered here, before authentication (browsers send it without credentials).
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      if (origin) {
        setCors(reply, origin);
        reply
          .header('access-control-allow-methods', ALLOWED_METHODS)
          .header('access-control-allow-headers', ALLOWED_HEADERS)
          .header('access-control-max-age', '600');
      }
      return reply.code(204).send();
    }
    if (origin) setCors(reply, origin);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    const type = String(reply.getHeader('content-type') ?? '');
    const page = type.startsWith('text/html') || (opts.isPage?.(req) ?? false);
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', page ? pageCsp : API_CSP);
    // API answers carry health data: never kept in a browser's or proxy's cache. Without this, a
    // browser may serve a read from its heuristic cache (the answer has Last-Modified) and show a
    // version older than the one just written.
    if (!page && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (hsts === true || (hsts === 'auto' && req.protocol === 'https'))
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    return payload;
  });
}

// Like fastify-plugin: the hooks apply to the app it is registered on, not a child context.
(securityHeaders as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
