import type { Command } from 'commander';
import { registerServeCommand } from './serve';
import { registerDbCommand } from './db';
import { registerImportCommand } from './import';
import { registerUsersCommand } from './users';
import { registerAuditCommand } from './audit';
import { registerDemoCommand } from './demo';
import { registerLinkCommand } from './link';

/** Each CLI command lives in its own file and registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerServeCommand,
  registerDbCommand,
  registerImportCommand,
  registerUsersCommand,
  registerAuditCommand,
  registerDemoCommand,
  registerLinkCommand,
];
