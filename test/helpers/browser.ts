import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { registerWebApp } from '../../src/server/web';
import type { AuthConfig } from '../../src/privacy/auth';
import { startTestKith, type TestKith } from './kith';

/** Browser tests: find Chromium (or say how to get it), launch it, and build the web app once. */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const WEB = path.join(REPO, 'web');
export const WEB_DIST = path.join(WEB, 'dist');
/** Where browser tests put screenshots (git-ignored). */
export const SCREENSHOT_DIR = path.join(REPO, '.tmp');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The Chromium executable (KITH_CHROMIUM, else /usr/bin/chromium), or undefined when it is missing:
 * callers skip their browser tests then. With KITH_REQUIRE_BROWSER=1 a missing browser is an error.
 */
export function findChromium(): string | undefined {
  const exe = process.env.KITH_CHROMIUM ?? '/usr/bin/chromium';
  if (existsSync(exe)) return exe;
  const message =
    `Chromium not found at ${exe}: install it with \`apt-get install -y chromium\` ` +
    `or set KITH_CHROMIUM to a Chromium executable.`;
  if (process.env.KITH_REQUIRE_BROWSER === '1') throw new Error(`${message} (KITH_REQUIRE_BROWSER=1)`);
  console.warn(`Skipping browser tests. ${message}`);
  return undefined;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches headless Chromium with a fresh profile directory, removed again on close. */
export async function launchBrowser(executablePath: string): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'kith-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    args: FLAGS,
    viewport: { width: 1280, height: 860 },
    locale: 'en-US',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

function newestMtime(dir: string, skip: Set<string>): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(full, skip) : statSync(full).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

function buildIsFresh(): boolean {
  const index = path.join(WEB_DIST, 'index.html');
  if (!existsSync(index)) return false;
  const sources = Math.max(
    newestMtime(WEB, new Set(['dist', 'node_modules'])),
    statSync(path.join(REPO, 'package-lock.json')).mtimeMs,
  );
  return statSync(index).mtimeMs > sources;
}

function lockTime(lock: string): number {
  try {
    return statSync(lock).mtimeMs;
  } catch {
    return Date.now(); // just released
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Builds web/dist with Vite unless a build newer than every web source exists. A lock directory
 * keeps parallel test files from building into the same folder at once.
 */
export async function ensureWebBuild(): Promise<string> {
  if (buildIsFresh()) return WEB_DIST;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const lock = path.join(SCREENSHOT_DIR, 'web-build.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than two minutes belongs to a run that died.
      if (Date.now() - lockTime(lock) > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lock}`, { cause: err });
      await sleep(250);
    }
  }
  try {
    if (!buildIsFresh()) {
      const { build } = await import('vite');
      // Vitest sets NODE_ENV=test, and Vite would then make a development build (React dev runtime,
      // StrictMode double effects): build what `npm run build:web` builds.
      const nodeEnv = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      try {
        await build({ configFile: path.join(WEB, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
      } finally {
        if (nodeEnv === undefined) delete process.env.NODE_ENV;
        else process.env.NODE_ENV = nodeEnv;
      }
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return WEB_DIST;
}

/**
 * Signs in through the web app's sign-in screen and waits for the app behind it. The session then
 * lasts across `page.goto` (the refresh cookie renews it), until `signOut` or a new browser.
 */
export async function signIn(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export interface BrowserKith {
  kith: TestKith;
  browser: Browser;
  /** `http://127.0.0.1:<port>`: the web app at `/`, the API beside it. */
  base: string;
  /** A fresh tab (not signed in unless `signInAs` was given). */
  page: Page;
  /** Screenshot of the page (for a failing run), then closes Chromium and the Kith. */
  close(): Promise<void>;
}

/**
 * A browser test's world: a test Kith serving the built web app on a local port, and Chromium with
 * one tab open. Building, starting and launching run together (each is slow on a busy machine).
 * `routes` adds routes before the web app's catch-all is registered; `signInAs` signs the tab in.
 */
export async function startBrowserKith(
  chromiumPath: string,
  opts: {
    routes?: (kith: TestKith) => Promise<void>;
    signInAs?: { username: string; password: string };
    /** Sign-in settings for the test Kith (e.g. a trusted OpenID Connect provider). */
    auth?: Partial<AuthConfig>;
  } = {},
): Promise<BrowserKith> {
  const [dist, kith, browser] = await Promise.all([
    ensureWebBuild(),
    startTestKith({ auth: opts.auth }),
    launchBrowser(chromiumPath),
  ]);
  await opts.routes?.(kith);
  if (!(await registerWebApp(kith.app, dist))) throw new Error(`The web app is not built in ${dist}`);
  await kith.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(kith.app.server.address() as AddressInfo).port}`;
  const page = await browser.context.newPage();
  if (opts.signInAs) await signIn(page, base, opts.signInAs.username, opts.signInAs.password);
  return {
    kith,
    browser,
    base,
    page,
    async close() {
      await page
        .screenshot({ path: path.join(SCREENSHOT_DIR, 'debug-last.png'), fullPage: true })
        .catch(() => undefined);
      await browser.close();
      await kith.close();
    },
  };
}
