import type { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { startServer } from '../../server/start';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'Start the Kith server (FHIR API at /fhir, web app at /); loads the demo data on first start',
    )
    .option('--no-demo', 'do not load the demo data set on first start')
    .action(async (opts: { demo: boolean }) => {
      const config = loadConfig();
      await startServer(config, { loadDemo: opts.demo });
    });
}
