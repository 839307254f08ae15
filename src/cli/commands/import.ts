import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig } from '../../config/config';
import { openKith } from '../../server/open';
import { refreshStatistics } from '../../store';
import { FhirService } from '../../fhir/service';
import { importFiles, listImportFiles } from '../../fhir/import/import-files';
import { registerImportSources } from './import-sources';
import { registerImportHsds } from './import-hsds';

/** `kith import <path>`: FHIR Bundles, resources and NDJSON. Source-specific importers add subcommands. */
export function registerImportCommand(program: Command): Command {
  const cmd = program
    .command('import')
    .description(
      'Import data into Kith. With a path: FHIR JSON (resources, Bundles) and NDJSON files or a folder of them',
    )
    .argument('[path]', 'a .json / .ndjson file or a folder')
    .action(async (target: string | undefined) => {
      if (!target) {
        cmd.help();
        return;
      }
      const files = listImportFiles(target);
      const kith = await openKith(loadConfig());
      const bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: 'importing [{bar}] {value}/{total} files | {file}',
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(files.length, 0, { file: '' });
      const summary = await importFiles(new FhirService(kith.store), files, (done, _total, file) =>
        bar.update(done, { file: file.split('/').pop() }),
      );
      bar.stop();
      // The planner's statistics of the tables the import filled (autovacuum may be off or behind).
      await refreshStatistics(kith.db);
      await kith.close();
      const { errors, ...counts } = summary;
      console.log(JSON.stringify(counts));
      for (const e of errors.slice(0, 20)) console.error(`${e.file} ${e.where}: ${e.message}`);
      if (errors.length > 20) console.error(`... and ${errors.length - 20} more errors`);
      process.exitCode = summary.failed ? 1 : 0;
    });
  registerImportSources(cmd);
  registerImportHsds(cmd);
  return cmd;
}
