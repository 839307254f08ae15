import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config/config';
import { openKith, type Kith } from '../../src/server/open';
import { buildApp } from '../../src/server/app';
import {
  bootstrapAuth,
  callerForUser,
  createUser,
  findUserByUsername,
  loadAuthConfig,
  userScopeCeiling,
  type AuthConfig,
  type NewUser,
  type UserRecord,
} from '../../src/privacy/auth';
import { SYSTEM_CALLER } from '../../src/privacy/caller';

/** The first administrator and system client every test Kith is started with. */
export const TEST_ADMIN = { username: 'admin', password: 'test-admin-password' };
export const TEST_CLIENT = { clientId: 'kith-system', clientSecret: 'test-system-client-secret-0123456789' };
/** The issuer (and `${issuer}/fhir` audience) of test tokens. */
export const TEST_ISSUER = 'http://kith.test';

/** The bearer token `fhirClient(app)` sends by default, per app (set by startTestKith). */
export const defaultTokens = new WeakMap<FastifyInstance, string>();

/** Creates the test administrator and the system client `TEST_CLIENT` (once per database). */
export async function bootstrapTestAuth(kith: Kith): Promise<void> {
  await bootstrapAuth(kith.db, {
    KITH_ADMIN_USERNAME: TEST_ADMIN.username,
    KITH_ADMIN_PASSWORD: TEST_ADMIN.password,
    KITH_BOOTSTRAP_CLIENT_ID: TEST_CLIENT.clientId,
    KITH_BOOTSTRAP_CLIENT_SECRET: TEST_CLIENT.clientSecret,
  });
}

/**
 * A token for the system itself (SYSTEM_CALLER: administrator, `system/*.cruds`), made the one
 * `fhirClient(app)` sends by default. For tests that build their own app with buildApp.
 */
export async function authorizeTestApp(kith: Kith, app?: FastifyInstance): Promise<string> {
  const token = (await kith.auth.tokens.issue(SYSTEM_CALLER)).token;
  if (app) defaultTokens.set(app, token);
  return token;
}

export interface TestKith {
  kith: Kith;
  app: FastifyInstance;
  /** A token of the system (SYSTEM_CALLER: administrator, `system/*.cruds`): what tests send by default. */
  token: string;
  /** `{ authorization: 'Bearer <token>' }` for raw `inject` or `fetch` calls. */
  authHeaders: Record<string, string>;
  /** `app.inject` with the default token unless the options carry their own authorization header. */
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
  /** An access token for an existing user (issued directly, no password needed). */
  tokenFor(opts: { username: string; purposeOfUse?: string }): Promise<string>;
  /**
   * Creates a user and returns it with a token. `organization.id` is the bare Organization id
   * (`alder-clinic`), as consents and custodians name it; `practitionerRole` is `PractitionerRole/<id>`.
   */
  addUser(user: NewUser): Promise<{ user: UserRecord; token: string; headers: Record<string, string> }>;
  /** Closes the app and the database, and drops the per-file PostgreSQL database. */
  close(): Promise<void>;
}

/**
 * A Kith instance for one test file: in-memory PGlite by default; with DATABASE_URL set, a fresh
 * PostgreSQL database created on that server and dropped afterwards, so files never share state.
 * Sign-in is wired as in production; `bootstrap: false` leaves out TEST_ADMIN and TEST_CLIENT
 * (for tests of the first start itself). `auth` overrides sign-in settings (login limits, TTLs).
 */
export async function startTestKith(
  opts: { auth?: Partial<AuthConfig>; bootstrap?: boolean } = {},
): Promise<TestKith> {
  const serverUrl = process.env.DATABASE_URL;
  let dbName: string | undefined;
  let url: string | undefined;
  if (serverUrl) {
    dbName = `kith_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const u = new URL(serverUrl);
    u.pathname = `/${dbName}`;
    url = u.toString();
  }
  const config = { ...loadConfig({}), databaseUrl: url };
  // Tokens live an hour so that slow files never see one expire mid-test.
  const auth: AuthConfig = {
    ...loadAuthConfig({ KITH_AUTH_ISSUER: TEST_ISSUER }),
    accessTokenTtl: 3600,
    ...opts.auth,
  };
  const kith = await openKith(config, { memory: true, auth });
  const app = await buildApp(kith);
  if (opts.bootstrap !== false) await bootstrapTestAuth(kith);
  const token = await authorizeTestApp(kith, app);
  const authHeaders = { authorization: `Bearer ${token}` };
  const tokenFor = async ({ username, purposeOfUse }: { username: string; purposeOfUse?: string }) => {
    const user = await findUserByUsername(kith.db, username);
    if (!user) throw new Error(`no user '${username}'`);
    const caller = callerForUser(user, { scopes: userScopeCeiling(user), purposeOfUse });
    return (await kith.auth.tokens.issue(caller)).token;
  };
  return {
    kith,
    app,
    token,
    authHeaders,
    inject: (o) => {
      const headers = { ...(o.headers ?? {}) } as Record<string, string>;
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'authorization'))
        headers.authorization = authHeaders.authorization;
      return app.inject({ ...o, headers });
    },
    tokenFor,
    async addUser(u) {
      const user = await createUser(kith.db, u);
      const t = await tokenFor({ username: user.username });
      return { user, token: t, headers: { authorization: `Bearer ${t}` } };
    },
    async close() {
      await app.close();
      await kith.close();
      if (dbName && serverUrl) {
        const admin = new pg.Client({ connectionString: serverUrl });
        await admin.connect();
        await admin.query(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
    },
  };
}

export const FHIR_HEADERS = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };
