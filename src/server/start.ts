import path from 'node:path';
import type { KithConfig } from '../config/config';
import { buildApp } from './app';
import { openKith } from './open';
import { registerWebApp } from './web';

export interface StartOptions {
  loadDemo: boolean;
}

/** Opens Kith, serves the API and the web app, and shuts down cleanly on SIGINT/SIGTERM. */
export async function startServer(config: KithConfig, opts: StartOptions): Promise<void> {
  const kith = await openKith(config);
  const app = await buildApp(kith, { logger: true });
  const hasWebApp = await registerWebApp(app, path.resolve('web/dist'));
  void opts;
  await app.listen({ port: config.port, host: config.host });
  const url = `http://localhost:${config.port}`;
  console.log(
    `Kith is running (${kith.db.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'})`,
  );
  console.log(hasWebApp ? `  Web app:  ${url}/` : '  Web app:  not built (npm run build:web)');
  console.log(`  FHIR API: ${url}/fhir (CapabilityStatement at ${url}/fhir/metadata)`);
  const stop = async (): Promise<void> => {
    await app.close();
    await kith.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
