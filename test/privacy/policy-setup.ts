import Fastify, { type FastifyInstance } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../../src/fhir/errors';
import { fhirRoutes, FHIR_JSON } from '../../src/fhir/routes';
import { FhirService } from '../../src/fhir/service';
import type { Caller, CallerOrganization } from '../../src/privacy/caller';
import type { Kith } from '../../src/server/open';

/**
 * The FHIR API over HTTP with the caller chosen by an `x-test-caller` header from a fixed table
 * (no header: no caller), so policy tests drive the real routes and service without tokens. The
 * server's own sign-in sets `req.caller` from a verified token instead.
 */
export async function callerApp(kith: Kith, callers: Record<string, Caller>): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  const base = new FhirService(kith.store);
  app.addContentTypeParser(
    ['application/fhir+json', 'application/json'],
    { parseAs: 'string' },
    (_r, body, done) => {
      try {
        done(null, body.toString().trim() ? JSON.parse(body.toString()) : undefined);
      } catch (err) {
        done(err as Error);
      }
    },
  );
  app.setErrorHandler((err: any, _req, reply) => {
    const e = err instanceof FhirError ? err : new FhirError('internal', String(err?.message ?? err));
    return reply
      .code(e.status)
      .header('content-type', FHIR_JSON)
      .send(JSON.stringify(e.toOperationOutcome()));
  });
  await app.register(fhirRoutes, {
    prefix: '/fhir',
    serviceFor: (req) => base.withCaller(callers[String(req.headers['x-test-caller'] ?? '')]),
  });
  return app;
}

export function org(
  id: string,
  kind: CallerOrganization['kind'],
  hipaaCoveredEntity: boolean,
  part2Program = false,
): CallerOrganization {
  return { id, kind, hipaaCoveredEntity, part2Program };
}

export function user(
  subject: string,
  organization: CallerOrganization | undefined,
  extra: Partial<Caller> = {},
): Caller {
  return {
    kind: 'user',
    subject,
    ...(organization ? { organization } : {}),
    accessLevel: 'edit',
    roles: [],
    purposeOfUse: organization?.hipaaCoveredEntity ? 'TREAT' : 'CAREMGT',
    scopes: [{ context: 'user', type: '*', ops: 'cruds' }],
    ...extra,
  };
}

/** A FHIR client for one caller over `app.inject`. */
export function clientFor(app: FastifyInstance, caller: string) {
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => {
    const res = await app.inject({
      method,
      url: `/fhir/${url}`,
      headers: { 'x-test-caller': caller, 'content-type': 'application/fhir+json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  };
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, body: unknown) => call('POST', url, body),
    put: (url: string, body: Resource) => call('PUT', url, body),
    delete: (url: string) => call('DELETE', url),
    /** `Type/id` of the entries of a search or history (with mode match, include or none). */
    async refs(url: string, mode?: 'match' | 'include'): Promise<string[]> {
      const r = await call('GET', url);
      if (r.status !== 200) throw new Error(`GET ${url} as ${caller}: ${r.status} ${JSON.stringify(r.body)}`);
      return (r.body.entry ?? [])
        .filter((e: any) => !mode || e.search?.mode === mode)
        .map((e: any) => `${e.resource.resourceType}/${e.resource.id}`)
        .sort();
    },
    async total(url: string): Promise<number> {
      const r = await call('GET', url);
      if (r.status !== 200) throw new Error(`GET ${url} as ${caller}: ${r.status}`);
      return r.body.total;
    },
  };
}
