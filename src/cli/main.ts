import { Command } from 'commander';
import { commands } from './commands';

const program = new Command('kith')
  .description('Kith: health and social-services data sharing for whole-person care (FHIR R4)')
  .showHelpAfterError();

for (const register of commands) register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
