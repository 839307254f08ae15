import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { defaultTokens, FHIR_HEADERS } from './kith';

export interface Reply {
  status: number;
  headers: LightMyRequestResponse['headers'];
  body: any;
  text: string;
}

/**
 * Small wrappers over `app.inject` for FHIR calls: JSON bodies in, parsed bodies out. Sends the
 * test Kith's system token by default; `{ token }` sends another (a user's), `{ token: null }` none.
 */
export function fhirClient(app: FastifyInstance, opts: { token?: string | null } = {}) {
  const token = opts.token === undefined ? defaultTokens.get(app) : (opts.token ?? undefined);
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const res = await app.inject({
      method,
      url: url.startsWith('/') ? url : `/fhir/${url}`,
      headers: { ...FHIR_HEADERS, ...auth, ...headers },
      ...(payload === undefined
        ? {}
        : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
    });
    let body: any;
    try {
      body = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, headers: res.headers, body, text: res.body };
  };
  return {
    get: (url: string, headers?: Record<string, string>) => call('GET', url, undefined, headers),
    post: (url: string, body: unknown, headers?: Record<string, string>) => call('POST', url, body, headers),
    put: (url: string, body: unknown, headers?: Record<string, string>) => call('PUT', url, body, headers),
    patch: (url: string, body: unknown, headers?: Record<string, string>) =>
      call('PATCH', url, body, headers),
    delete: (url: string, headers?: Record<string, string>) => call('DELETE', url, undefined, headers),
    /** Creates and returns the stored resource (fails the test on any status but 201). */
    async create<T extends { resourceType: string }>(resource: T): Promise<T & { id: string; meta: any }> {
      const r = await call('POST', resource.resourceType, resource);
      if (r.status !== 201) throw new Error(`create ${resource.resourceType} failed: ${r.status} ${r.text}`);
      return r.body;
    },
    /** Ids of the matches (search.mode = match) of a search, in order. */
    async ids(url: string): Promise<string[]> {
      const r = await call('GET', url);
      if (r.status !== 200) throw new Error(`search ${url} failed: ${r.status} ${r.text}`);
      return (r.body.entry ?? [])
        .filter((e: any) => e.search?.mode === 'match')
        .map((e: any) => e.resource.id);
    },
  };
}

export type FhirClient = ReturnType<typeof fhirClient>;

/** Asserts the shape every error must have and returns the joined diagnostics. */
export function outcomeText(body: any): string {
  if (body?.resourceType !== 'OperationOutcome')
    throw new Error(`not an OperationOutcome: ${JSON.stringify(body)}`);
  return (body.issue ?? [])
    .map((i: any) => `${i.diagnostics ?? ''} @${(i.expression ?? []).join(',')}`)
    .join(' | ');
}
