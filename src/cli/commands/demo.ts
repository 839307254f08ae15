import { InvalidArgumentError, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig } from '../../config/config';
import { openKith } from '../../server/open';
import { refreshStatistics } from '../../store';
import { FhirService } from '../../fhir/service';
import { processBundle } from '../../fhir/transaction';
import { createDemoAccounts, demoAccountLines } from '../../server/demo-accounts';
import { DEFAULT_PEOPLE, DEFAULT_SEED, loadDemo } from '../../demo';

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${name} must be a positive whole number.`);
    return n;
  };
}

/** `kith demo`: loads the fictional Alder County (organizations, staff, services, people) as transactions. */
export function registerDemoCommand(program: Command): Command {
  return program
    .command('demo')
    .description(
      'Load the demo data set: a fictional county ("Alder County") with its agencies, community organizations, ' +
        'staff, services and a few hundred people with records from several sources. Loading again updates in place.',
    )
    .option(
      '--seed <n>',
      'seed of the generator (the same seed gives the same county)',
      positiveInt('--seed'),
      DEFAULT_SEED,
    )
    .option('--people <n>', 'number of people', positiveInt('--people'), DEFAULT_PEOPLE)
    .action(async (opts: { seed: number; people: number }) => {
      const config = loadConfig();
      const kith = await openKith(config);
      const service = new FhirService(kith.store);
      const base = `${config.baseUrl ?? `http://localhost:${config.port}`}/fhir`;
      const bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: 'loading demo [{bar}] {value}/{total} bundles', hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      try {
        let started = false;
        const result = await loadDemo(
          (bundle) => processBundle(service, bundle, { base, returnRepresentation: false }),
          {
            seed: opts.seed,
            people: opts.people,
            onBundle: (done, total) => {
              if (!started) bar.start(total, 0);
              started = true;
              bar.update(done);
            },
          },
        );
        bar.stop();
        await refreshStatistics(kith.db);
        const { summary, users } = result.county;
        console.log(
          `Loaded ${summary.resources} resources: ${summary.people} people with ${summary.sourceRecords} source records, ` +
            `${summary.byType.Organization} organizations, ${users.length} staff.`,
        );
        await createDemoAccounts(kith.db, users);
        for (const line of demoAccountLines(users)) console.log(line);
      } finally {
        bar.stop();
        await kith.close();
      }
    });
}
