import path from 'node:path';
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Paths that belong to the server's APIs: they never get the web app's page. */
const API_PREFIXES = ['/fhir', '/api', '/auth', '/oauth2', '/.well-known', '/healthz'];

function isApiPath(pathname: string): boolean {
  return API_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

/** A browser navigating to an app URL; not an API client that asked for JSON. */
function wantsPage(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return accept === '' || accept.includes('text/html') || !accept.includes('json');
}

/**
 * Serves the built web app (`npm run build:web` → web/dist) at "/". Hashed files under /assets are
 * cached for good; index.html is revalidated each time. Any other GET that is not an API path and
 * does not name a file gets index.html, because the app routes on the client (web/src/router).
 * Returns false, registering nothing, when there is no build.
 */
export async function registerWebApp(app: FastifyInstance, distDir: string): Promise<boolean> {
  const root = path.resolve(distDir);
  if (!existsSync(path.join(root, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    setHeaders: (reply: FastifyReply, filePath: string) => {
      const immutable = filePath.includes(`${path.sep}assets${path.sep}`);
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.get('/*', (req, reply) => {
    const pathname = req.url.split('?')[0];
    if (isApiPath(pathname)) return reply.callNotFound();
    // A file written after start-up (a rebuild while the server runs): sendFile stays inside root
    // and answers 404 itself when there is no such file.
    if (/\/[^/]*\.[A-Za-z0-9]+$/.test(pathname)) return reply.sendFile((req.params as { '*': string })['*']);
    if (!wantsPage(req)) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
  return true;
}
