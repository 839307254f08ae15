import path from 'node:path';
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { KithConfig } from '../config/config';
import { buildApp } from './app';
import { openKith } from './open';

export interface StartOptions {
  loadDemo: boolean;
}

/** Opens Kith, serves the API and the web app, and shuts down cleanly on SIGINT/SIGTERM. */
export async function startServer(config: KithConfig, opts: StartOptions): Promise<void> {
  const kith = await openKith(config);
  const app = await buildApp(kith, { logger: true });
  const webDist = path.resolve('web/dist');
  if (existsSync(webDist)) {
    await app.register(fastifyStatic, { root: webDist, prefix: '/', wildcard: false });
    // The web app routes on the client: unknown non-API paths get its index page.
    app.get('/*', (req, reply) => {
      if (req.url.startsWith('/fhir')) return reply.callNotFound();
      return reply.sendFile('index.html');
    });
  }
  void opts;
  await app.listen({ port: config.port, host: config.host });
  const url = `http://localhost:${config.port}`;
  console.log(`Kith is running (${kith.db.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'})`);
  console.log(`  Web app:  ${url}/`);
  console.log(`  FHIR API: ${url}/fhir (CapabilityStatement at ${url}/fhir/metadata)`);
  const stop = async (): Promise<void> => {
    await app.close();
    await kith.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
