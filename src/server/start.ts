import path from 'node:path';
import type { KithConfig } from '../config/config';
import { buildApp } from './app';
import { openKith } from './open';
import { registerWebApp } from './web';
import { isEmpty, loadDemoData } from './first-start';
import { registerIntegration } from '../integration/channels';
import { bootstrapAuth, bootstrapNotice } from '../privacy/auth';
import { createDemoAccounts, demoAccountLines, hasDemoData } from './demo-accounts';
import { refreshStatistics } from '../store';

async function loadFirstStartDemo(kith: Awaited<ReturnType<typeof openKith>>) {
  console.log('First start: loading the demo county ...');
  const t0 = Date.now();
  const result = await loadDemoData(kith);
  console.log(`Demo county loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return result;
}

export interface StartOptions {
  loadDemo: boolean;
}

/** Opens Kith, serves the API and the web app, and shuts down cleanly on SIGINT/SIGTERM. */
export async function startServer(config: KithConfig, opts: StartOptions): Promise<void> {
  const kith = await openKith(config);
  const app = await buildApp(kith, { logger: true });
  const hasWebApp = await registerWebApp(app, path.resolve('web/dist'));
  const demo = opts.loadDemo && (await isEmpty(kith)) ? await loadFirstStartDemo(kith) : undefined;
  // First start: the administrator and the system client (from the environment, else generated).
  const boot = await bootstrapAuth(kith.db);
  const demoAccounts = opts.loadDemo && (await hasDemoData(kith.db)) ? await createDemoAccounts(kith.db) : [];
  const integration = await registerIntegration(app, kith);
  await app.listen({ port: config.port, host: config.host });
  await integration.start();
  // The planner's statistics kept as autovacuum's analyze would keep them, where it is off or
  // behind: the tables changed by more than its threshold since their last ANALYZE (statistics.ts).
  const statistics =
    config.statisticsIntervalS > 0
      ? setInterval(
          () =>
            void refreshStatistics(kith.db).catch((err: unknown) =>
              app.log.warn({ err }, 'refreshing planner statistics failed'),
            ),
          config.statisticsIntervalS * 1000,
        ).unref()
      : undefined;
  const url = `http://localhost:${config.port}`;
  console.log(
    `Kith is running (${kith.db.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'})`,
  );
  console.log(hasWebApp ? `  Web app:  ${url}/` : '  Web app:  not built (npm run build:web)');
  console.log(`  FHIR API: ${url}/fhir (CapabilityStatement at ${url}/fhir/metadata)`);
  console.log(`  Sign in:  ${url}/ (OAuth 2.0 / SMART: ${url}/.well-known/smart-configuration)`);
  for (const line of bootstrapNotice(boot)) console.log(`  ${line}`);
  if (demo) {
    console.log(
      `  Demo data: ${demo.resources} resources of the fictional Alder County (src/demo/README.md)`,
    );
  }
  if (demoAccounts.length) for (const line of demoAccountLines()) console.log(`  ${line}`);
  else if (opts.loadDemo && (await hasDemoData(kith.db)))
    console.log(
      '  Demo sign-ins: hhsa.admin, hhsa.edit, clinic.edit, foodbank.view, ... (src/demo/README.md)',
    );
  const stop = async (): Promise<void> => {
    clearInterval(statistics);
    await integration.stop();
    await app.close();
    await kith.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
