import type { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { openKith } from '../../server/open';
import { refreshStatistics } from '../../store';
import { importHsdsPath, installReferrals, pullHsdsApi } from '../../referrals';
import { installNotify } from '../../notify';

/**
 * `kith import hsds <folder|file|url>`: an Open Referral HSDS 3.0 directory (JSON API payloads,
 * tabular JSON or the CSV datapackage; or an HSDS API base URL) into Organization, Location and
 * HealthcareService, updated in place by HSDS id. Prints one JSON summary line.
 */
export function registerImportHsds(importCommand: Command): Command {
  return importCommand
    .command('hsds')
    .description(
      'Import an Open Referral HSDS 3.0 directory: a folder, a JSON or CSV file, or an HSDS API URL',
    )
    .argument('<source>', 'a folder (CSV datapackage and/or JSON files), a file, or http(s)://... API base')
    .action(async (source: string) => {
      const kith = await openKith(loadConfig());
      try {
        await installNotify(kith);
        await installReferrals(kith);
        const summary = /^https?:\/\//.test(source)
          ? await pullHsdsApi(kith.store, source)
          : await importHsdsPath(kith.store, source);
        await refreshStatistics(kith.db);
        const { errors, warnings, units, skipped, ...counts } = summary;
        console.log(JSON.stringify({ ...counts, units: units.length, skipped: skipped.length }));
        for (const s of skipped) console.error(`skipped ${s.source}: ${s.reason}`);
        for (const w of warnings.slice(0, 50)) console.error(`warning: ${w}`);
        for (const e of errors.slice(0, 50)) console.error(`error: ${e.source} ${e.where}: ${e.message}`);
        process.exitCode = summary.failed ? 1 : 0;
      } finally {
        await kith.close();
      }
    });
}
