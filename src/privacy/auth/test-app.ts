// Test harness for the auth tests (not used by the server): a database from startTestKith and a
// small Fastify app with the auth routes, the requireAuth hook, security headers and one
// protected route that answers with the caller.
import Fastify, { type FastifyInstance } from 'fastify';
import { startTestKith, type TestKith } from '../../../test/helpers/kith';
import { loadAuthConfig, type AuthConfig } from './config';
import { authRoutes } from './routes';
import { requireAuth, requireScope } from './require-auth';
import { securityHeaders } from './security-headers';
import { AuthService, type AuthEvent } from './service';
import type { ScopeOp } from './scopes';
import { storePatientAccess } from './patient-access';
import './migrations';

export const TEST_ISSUER = 'http://kith.test';

export interface AuthTestEnv {
  test: TestKith;
  auth: AuthService;
  app: FastifyInstance;
  events: AuthEvent[];
  /** Builds another AuthService + app over the same database, e.g. with other settings. */
  makeApp(config?: Partial<AuthConfig>): Promise<{ auth: AuthService; app: FastifyInstance }>;
  close(): Promise<void>;
}

export async function startAuthTest(config: Partial<AuthConfig> = {}): Promise<AuthTestEnv> {
  const test = await startTestKith({ bootstrap: false });
  const events: AuthEvent[] = [];
  const apps: FastifyInstance[] = [];
  const makeApp = async (overrides: Partial<AuthConfig> = {}) => {
    const cfg: AuthConfig = {
      ...loadAuthConfig({ KITH_AUTH_ISSUER: TEST_ISSUER }),
      corsOrigins: ['https://app.example.org'],
      ...config,
      ...overrides,
    };
    const auth = await AuthService.open(test.kith.db, {
      config: cfg,
      onAuthEvent: (e) => void events.push(e),
    });
    auth.setPatientAccess(storePatientAccess(test.kith.store));
    const app = Fastify({ logger: false });
    await app.register(securityHeaders, { corsOrigins: cfg.corsOrigins });
    app.addHook('preHandler', requireAuth({ auth }));
    await app.register(authRoutes, { auth });
    app.get<{ Params: { type: string; id: string } }>('/fhir/:type/:id', async (req) => {
      const op = ((req.query as Record<string, string>).op ?? 'r') as ScopeOp;
      const caller = requireScope(req, req.params.type, op);
      return { resourceType: req.params.type, id: req.params.id, caller };
    });
    app.get('/fhir/metadata', async () => ({ resourceType: 'CapabilityStatement' }));
    app.setErrorHandler((err: any, _req, reply) =>
      reply.code(err.status ?? err.statusCode ?? 500).send({ code: err.code, message: err.message }),
    );
    apps.push(app);
    return { auth, app };
  };
  const { auth, app } = await makeApp();
  return {
    test,
    auth,
    app,
    events,
    makeApp,
    async close() {
      for (const a of apps) await a.close();
      await test.close();
    },
  };
}
