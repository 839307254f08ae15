import type { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { openKith } from '../../server/open';
import { migrate } from '../../store';

export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('Database administration');
  db.command('migrate')
    .description('Apply pending schema migrations (also done on every start)')
    .action(async () => {
      const kith = await openKith(loadConfig());
      const applied = await migrate(kith.db);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The schema is up to date.');
      await kith.close();
    });
}
