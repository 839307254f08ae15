import type { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { openCliDatabase } from './cli-db';
import { describeVerification, disclosuresFor, verifyAuditChain } from '../../audit';

/** `kith audit verify` checks the hash chain; `kith audit disclosures <patient...>` lists who saw a person's data. */
export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit trail');

  audit
    .command('verify')
    .description('Recompute the audit hash chain; names the first altered or deleted event (exit code 1)')
    .option('--json', 'print the result as JSON')
    .action(async (o) => {
      const kith = await openCliDatabase(loadConfig());
      try {
        const result = await verifyAuditChain(kith.db);
        console.log(o.json ? JSON.stringify(result) : describeVerification(result));
        process.exitCode = result.ok ? 0 : 1;
      } finally {
        await kith.close();
      }
    });

  audit
    .command('disclosures')
    .description('Accounting of disclosures: who saw these patients’ data, when and why')
    .argument('<patient...>', 'Patient ids or references (every record linked to the person)')
    .option('--since <date>')
    .option('--failures', 'include denied and failed attempts')
    .action(async (patients: string[], o) => {
      const kith = await openCliDatabase(loadConfig());
      try {
        const list = await disclosuresFor(kith.db, patients, {
          since: o.since,
          includeFailures: Boolean(o.failures),
        });
        for (const d of list)
          console.log(
            [
              d.recorded,
              d.action,
              d.who.display ?? d.who.id ?? '-',
              d.who.organization ?? '-',
              d.purposeOfUse ?? '-',
              [...d.resources, d.query].filter(Boolean).join(' ') || '-',
              d.outcome,
            ].join('\t'),
          );
        if (!list.length) console.log('No disclosures recorded.');
      } finally {
        await kith.close();
      }
    });
}
