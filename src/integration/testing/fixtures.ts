import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

/**
 * Where the shared, externally authored test fixtures live. They are not copied into the project
 * (their licences differ): tests read them in place from `KITH_FIXTURES`, default
 * `../shared/fixtures` relative to the repository root. When they are absent a suite is skipped
 * with a message — unless `KITH_REQUIRE_FIXTURES=1` (CI), which turns absence into a failure.
 */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function fixturesRoot(): string {
  return resolve(REPO_ROOT, process.env.KITH_FIXTURES ?? '../shared/fixtures');
}

export interface FixtureDir {
  available: boolean;
  /** Absolute path of the fixture folder (whether or not it exists). */
  path: string;
  /** Files in the folder, sorted (empty when unavailable). */
  files: string[];
}

/** Looks up one fixture folder, e.g. fixtureDir('hl7v2-nextgen-connect'). Throws if required and missing. */
export function fixtureDir(name: string): FixtureDir {
  const path = join(fixturesRoot(), name);
  const available = existsSync(path);
  if (!available && process.env.KITH_REQUIRE_FIXTURES === '1') {
    throw new Error(
      `fixtures required (KITH_REQUIRE_FIXTURES=1) but ${path} does not exist; set KITH_FIXTURES`,
    );
  }
  return { available, path, files: available ? readdirSync(path).sort() : [] };
}

/** `describe` that runs only when the fixture folder exists, and says why when it is skipped. */
export function describeWithFixtures(title: string, name: string, body: (dir: FixtureDir) => void): void {
  const dir = fixtureDir(name);
  if (!dir.available) {
    console.warn(
      `[fixtures] ${dir.path} not found: skipping "${title}" (set KITH_FIXTURES, or KITH_REQUIRE_FIXTURES=1 to fail)`,
    );
    // Skipped only where the shared fixture folder is absent (a user's fresh clone): the fixtures'
    // licences keep them out of the repository. CI sets KITH_REQUIRE_FIXTURES=1, so there a missing
    // folder fails in fixtureDir above instead of skipping.
    describe.skip(title, () => body(dir));
    return;
  }
  describe(title, () => body(dir));
}
