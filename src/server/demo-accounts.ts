import { createUser, findUserByUsername } from '../privacy/auth';
import type { CallerOrganization } from '../privacy/caller';
import { demoUsers, type DemoUser } from '../demo';
import { ORGANIZATIONS } from '../demo/organizations';
import type { Database } from '../store/db/database';

/** The organization a demo user acts for, as the policy reads it: bare id, kind and the two flags. */
export function demoOrganization(user: DemoUser): CallerOrganization {
  const id = user.organization.replace(/^Organization\//, '');
  const org = ORGANIZATIONS.find((o) => o.id === id);
  if (!org) throw new Error(`demo user ${user.username}: no demo organization '${id}'`);
  return { id, kind: org.kind, hipaaCoveredEntity: org.coveredEntity, part2Program: org.part2 };
}

/**
 * Sign-in accounts for the demo staff (src/demo/README.md, "Demo sign-ins"): each acts as its
 * PractitionerRole in its organization, with its access level, role and purpose of use, and the
 * demo password. Accounts that exist already are left as they are. Returns the usernames created.
 */
export async function createDemoAccounts(db: Database, users: DemoUser[] = demoUsers): Promise<string[]> {
  const created = await Promise.all(
    users.map(async (u) => {
      if (await findUserByUsername(db, u.username)) return undefined;
      try {
        await createUser(db, {
          username: u.username,
          password: u.password,
          displayName: u.displayName,
          email: u.email,
          practitionerRole: u.practitionerRole,
          organization: demoOrganization(u),
          accessLevel: u.accessLevel,
          roles: u.role === 'staff' ? [] : [u.role],
          purposeOfUse: u.purposeOfUse,
        });
      } catch (err) {
        // Another node starting at the same moment made it first.
        if ((err as Error).message.includes('is taken')) return undefined;
        throw err;
      }
      return u.username;
    }),
  );
  return created.filter((u): u is string => u !== undefined);
}

/** True when the demo county is in the store (its county agency is). */
export async function hasDemoData(db: Database): Promise<boolean> {
  const { rows } = await db.query(
    `select 1 from fhir_resources where resource_type = 'Organization' and id = 'alder-hhsa' and not deleted`,
  );
  return rows.length > 0;
}

/** The demo sign-ins, one line each, for `npm start` and `kith demo` to print. */
export function demoAccountLines(users: DemoUser[] = demoUsers): string[] {
  return [
    `Demo sign-ins (password for all: ${users[0]?.password}; src/demo/README.md):`,
    ...users.map(
      (u) =>
        `  ${u.username.padEnd(20)} ${u.accessLevel.padEnd(10)} ${(u.role === 'staff' ? '' : u.role).padEnd(13)} ${u.purposeOfUse.padEnd(9)} ${u.organizationName}`,
    ),
  ];
}
