import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig } from '../../config/config';
import { openKith } from '../../server/open';
import {
  ensureIntegrationSchema,
  Pipeline,
  type ChannelKind,
  type Counts,
} from '../../integration/pipeline/pipeline';

/**
 * `kith import hmis <folder|zip>`, `kith import eligibility|wic|jail <file.csv>`: one run of the
 * integration pipeline (raw input stored, idempotent, dead letter on failure), with a progress bar
 * and a summary JSON: read, created, updated, unchanged, failed.
 */
export function registerImportSources(importCmd: Command): void {
  const sub = (kind: ChannelKind, arg: string, what: string): void => {
    importCmd
      .command(kind)
      .description(`Import ${what} through the integration pipeline`)
      .argument(arg)
      .option('--channel <name>', 'channel name the input is logged under', kind)
      .option('--source <source>', 'identifier namespace of the sending system')
      .action(async (target: string, opts: { channel: string; source?: string }) => {
        const kith = await openKith(loadConfig());
        await ensureIntegrationSchema(kith);
        const pipeline = new Pipeline(kith);
        const bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: `${kind} [{bar}] {value}/{total} | {step}`, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(2, 0, { step: 'reading' });
        const channel = { name: opts.channel, kind, source: opts.source };
        const outcome =
          kind === 'hmis'
            ? await pipeline.receiveHmisFolder(channel, path.resolve(target))
            : await pipeline.receiveCsv(channel, await readFile(target, 'utf8'), path.basename(target));
        bar.update(2, { step: outcome.status });
        bar.stop();
        await kith.close();
        const c: Counts = outcome.counts;
        const summary = {
          status: outcome.duplicate ? 'duplicate' : outcome.status,
          message: outcome.messageId,
          read: c.read,
          created: c.created,
          updated: c.updated,
          unchanged: c.unchanged,
          failed: c.failed,
        };
        console.log(JSON.stringify(summary));
        const errors = outcome.issues.filter((i) => i.severity === 'error');
        for (const e of errors.slice(0, 20)) console.error(e.message);
        if (errors.length > 20) console.error(`... and ${errors.length - 20} more errors`);
        process.exitCode = outcome.status === 'failed' ? 1 : 0;
      });
  };
  sub('hmis', '<folder|zip>', 'a HUD HMIS CSV export (folder or zip file)');
  sub('eligibility', '<file.csv>', 'a CalSAWS-style eligibility extract');
  sub('wic', '<file.csv>', 'a WIC certification extract');
  sub('jail', '<file.csv>', 'a jail booking/release extract');
}
