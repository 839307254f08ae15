import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The shared fixtures folder (`KITH_FIXTURES`, default ../shared/fixtures). Tests that need it call
 * `fixturesOrSkip`: on a fresh clone without it they skip with a message; CI sets
 * KITH_REQUIRE_FIXTURES=1 so a missing folder fails instead.
 */
export function fixturesDir(): string {
  return path.resolve(process.env.KITH_FIXTURES ?? path.join(process.cwd(), '..', 'shared', 'fixtures'));
}

export function fixturesAvailable(sub = ''): boolean {
  const ok = existsSync(path.join(fixturesDir(), sub));
  if (!ok && process.env.KITH_REQUIRE_FIXTURES === '1') {
    throw new Error(`KITH_REQUIRE_FIXTURES=1 but ${path.join(fixturesDir(), sub)} is missing`);
  }
  if (!ok)
    console.warn(`Skipping: fixtures folder ${path.join(fixturesDir(), sub)} not found (set KITH_FIXTURES)`);
  return ok;
}
