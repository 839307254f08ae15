import type { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { openCliDatabase } from './cli-db';
import type { Database } from '../../store/db/database';
import {
  ACCESS_LEVELS,
  ORGANIZATION_KINDS,
  ROLES,
  createUser,
  generatePassword,
  listUsers,
  setUserDisabled,
  setUserPassword,
  type Role,
  type UserRecord,
} from '../../privacy/auth';
import type { AccessLevel, OrganizationKind } from '../../privacy/caller';

async function withKith<T>(fn: (kith: { db: Database }) => Promise<T>): Promise<T> {
  const kith = await openCliDatabase(loadConfig());
  try {
    return await fn(kith);
  } finally {
    await kith.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** The password: from stdin, or generated (and printed once). Never from a flag: shells keep history. */
async function choosePassword(opts: {
  passwordStdin?: boolean;
}): Promise<{ password: string; generated: boolean }> {
  if (opts.passwordStdin) return { password: await readStdin(), generated: false };
  return { password: generatePassword(), generated: true };
}

function describeUser(u: UserRecord): string {
  const org = u.organization ? `${u.organization.id} (${u.organization.kind})` : '-';
  const roles = u.roles.length ? u.roles.join(',') : '-';
  return [
    u.username,
    u.displayName,
    u.accessLevel,
    roles,
    org,
    u.purposeOfUse,
    u.disabled ? 'disabled' : 'active',
  ].join('\t');
}

/** `kith users`: add, list, disable, enable and reset-password for built-in accounts. */
export function registerUsersCommand(program: Command): void {
  const users = program
    .command('users')
    .description('Manage sign-in accounts (users of the web app and API)');

  users
    .command('add')
    .description('Add a user; the password is generated and printed once unless given on stdin')
    .argument('<username>')
    .requiredOption('--access-level <level>', `one of ${ACCESS_LEVELS.join(', ')}`)
    .option('--display-name <name>', 'name shown in the app and in the audit')
    .option('--email <address>')
    .option('--org <id>', 'Organization id the user works for')
    .option('--org-kind <kind>', `one of ${ORGANIZATION_KINDS.join(', ')}`)
    .option('--hipaa', 'the organization is a HIPAA covered entity', false)
    .option('--part2', 'the organization is a 42 CFR Part 2 program', false)
    .option('--practitioner-role <ref>', 'PractitionerRole/<id> the user acts as')
    .option('--role <role...>', `extra roles: ${ROLES.join(', ')}`)
    .option('--purpose <code>', 'default purpose of use (HL7 v3 PurposeOfUse)', 'TREAT')
    .option('--external-subject <sub>', 'subject at the trusted OpenID Connect provider')
    .option('--password-stdin', 'read the password from standard input')
    .option('--no-password', 'no password: the user signs in only through the OpenID Connect provider')
    .action(async (username: string, o) => {
      if (o.org && !o.orgKind) throw new Error('--org needs --org-kind');
      const { password, generated } =
        o.password === false ? { password: undefined, generated: false } : await choosePassword(o);
      const user = await withKith((kith) =>
        createUser(kith.db, {
          username,
          password,
          displayName: o.displayName,
          email: o.email,
          externalSubject: o.externalSubject,
          practitionerRole: o.practitionerRole,
          organization: o.org
            ? {
                id: o.org,
                kind: o.orgKind as OrganizationKind,
                hipaaCoveredEntity: Boolean(o.hipaa),
                part2Program: Boolean(o.part2),
              }
            : undefined,
          accessLevel: o.accessLevel as AccessLevel,
          roles: (o.role ?? []) as Role[],
          purposeOfUse: o.purpose,
        }),
      );
      console.log(`Added ${user.username} (${user.accessLevel})`);
      if (generated) console.log(`Password (shown once): ${password}`);
    });

  users
    .command('list')
    .description('List users')
    .option('--json', 'print JSON')
    .action(async (o) => {
      const list = await withKith((kith) => listUsers(kith.db));
      if (o.json) console.log(JSON.stringify(list, null, 2));
      else {
        console.log(['username', 'name', 'access', 'roles', 'organization', 'purpose', 'status'].join('\t'));
        for (const u of list) console.log(describeUser(u));
      }
    });

  users
    .command('disable')
    .description('Disable a user: sign-in is refused and their sessions end')
    .argument('<username>')
    .action(async (username: string) => {
      await withKith((kith) => setUserDisabled(kith.db, username, true));
      console.log(`Disabled ${username}`);
    });

  users
    .command('enable')
    .description('Enable a disabled user again')
    .argument('<username>')
    .action(async (username: string) => {
      await withKith((kith) => setUserDisabled(kith.db, username, false));
      console.log(`Enabled ${username}`);
    });

  users
    .command('reset-password')
    .description("Set a new password (generated and printed once, or from stdin); ends the user's sessions")
    .argument('<username>')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (username: string, o) => {
      const { password, generated } = await choosePassword(o);
      await withKith((kith) => setUserPassword(kith.db, username, password));
      console.log(`New password set for ${username}`);
      if (generated) console.log(`Password (shown once): ${password}`);
    });
}
