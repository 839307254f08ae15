import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FhirError } from './errors';
import { FhirService } from './service';
import { historyBundle, pageLinks, searchsetBundle } from './bundle';
import { capabilityStatement } from './capability';
import { processBundle } from './transaction';
import { findOperation } from './operations';
import { exportJobRoutes } from './export/routes';
import type { StoredVersion } from '../store';
import type { Query } from './search/parse';
import { DEFAULT_COUNT, MAX_COUNT } from './search/parse';
import { dateRange, type DateRange } from '../store/normalize';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export interface FhirRouteOptions {
  /** The service for this request: bound to the caller once access control is in place. */
  serviceFor: (req: FastifyRequest) => FhirService;
  /** The server's public base URL (KITH_BASE_URL, without /fhir); derived from the request when absent. */
  baseUrl?: string;
}

type Params = { type: string; id: string; vid: string };

/** The FHIR R4 REST API under /fhir. Every handler delegates to FhirService. */
export async function fhirRoutes(app: FastifyInstance, opts: FhirRouteOptions): Promise<void> {
  // Links name the FHIR base: the server's public URL (or the request's host) plus this plugin's prefix.
  const prefix = app.prefix || '/fhir';
  const base = (req: FastifyRequest): string =>
    `${opts.baseUrl ? opts.baseUrl.replace(/\/+$/, '') : `${req.protocol}://${req.headers.host}`}${prefix}`;
  const svc = opts.serviceFor;

  app.get('/metadata', async (req, reply) => send(reply, 200, capabilityStatement(base(req))));
  // Bulk Data $export status URLs and output files (the kick-offs are operations).
  exportJobRoutes(app, svc, base);

  app.post('/', async (req, reply) => {
    const prefer = preferReturn(req);
    const result = await processBundle(svc(req), req.body, {
      base: base(req),
      returnRepresentation: prefer === 'representation',
    });
    return send(reply, 200, result);
  });

  app.get('/_history', async (req, reply) => history(req, reply, base(req), svc(req)));

  // Search across types: GET [base]?params and POST [base]/_search.
  app.get('/', async (req, reply) => search(req, reply, undefined, req.query as Query, base(req)));
  app.post('/_search', async (req, reply) => {
    const form = (req.body ?? {}) as Query;
    return search(req, reply, undefined, { ...(req.query as Query), ...form }, base(req));
  });

  app.get<{ Params: Params }>('/:type', async (req, reply) => {
    const { type } = req.params;
    if (type.startsWith('$'))
      return operation(req, reply, 'system', type.slice(1), undefined, undefined, base(req));
    return search(req, reply, type, req.query as Query, base(req));
  });

  app.post<{ Params: Params }>('/:type/_search', async (req, reply) => {
    const form = (req.body ?? {}) as Query;
    return search(req, reply, req.params.type, { ...(req.query as Query), ...form }, base(req));
  });

  app.post<{ Params: Params }>('/:type', async (req, reply) => {
    const { type } = req.params;
    if (type.startsWith('$'))
      return operation(req, reply, 'system', type.slice(1), undefined, undefined, base(req));
    const ifNoneExist = header(req, 'if-none-exist');
    const outcome = await svc(req).create(type, req.body, ifNoneExist);
    return written(req, reply, outcome.status, outcome.version!, base(req));
  });

  app.put<{ Params: Params }>('/:type', async (req, reply) => {
    const criteria = rawQuery(req);
    if (!criteria)
      throw new FhirError('method_not_allowed', 'PUT on a type needs search criteria (conditional update)');
    const outcome = await svc(req).conditionalUpdate(req.params.type, criteria, req.body, ifMatch(req));
    return written(req, reply, outcome.status, outcome.version!, base(req));
  });

  app.delete<{ Params: Params }>('/:type', async (req, reply) => {
    const criteria = rawQuery(req);
    if (!criteria)
      throw new FhirError(
        'method_not_allowed',
        'DELETE on a type needs search criteria (conditional delete)',
      );
    await svc(req).conditionalDelete(req.params.type, criteria);
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>('/:type/_history', async (req, reply) => {
    svc(req).assertType(req.params.type);
    return history(req, reply, base(req), svc(req), req.params.type);
  });

  app.get<{ Params: Params }>('/:type/:id', async (req, reply) => {
    const { type, id } = req.params;
    if (id.startsWith('$')) return operation(req, reply, 'type', id.slice(1), type, undefined, base(req));
    const version = await svc(req).read(type, id);
    if (notModified(req, version)) return reply.code(304).send();
    return sendVersion(reply, 200, version);
  });

  app.post<{ Params: Params }>('/:type/:id', async (req, reply) => {
    const { type, id } = req.params;
    if (id.startsWith('$')) return operation(req, reply, 'type', id.slice(1), type, undefined, base(req));
    throw new FhirError('method_not_allowed', `POST is not allowed on ${type}/${id}`);
  });

  app.put<{ Params: Params }>('/:type/:id', async (req, reply) => {
    const outcome = await svc(req).update(req.params.type, req.params.id, req.body, ifMatch(req));
    return written(req, reply, outcome.status, outcome.version!, base(req));
  });

  app.patch<{ Params: Params }>('/:type/:id', async (req, reply) => {
    const outcome = await svc(req).patch(req.params.type, req.params.id, req.body, ifMatch(req));
    return written(req, reply, outcome.status, outcome.version!, base(req));
  });

  app.delete<{ Params: Params }>('/:type/:id', async (req, reply) => {
    await svc(req).delete(req.params.type, req.params.id, ifMatch(req));
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>('/:type/:id/_history', async (req, reply) => {
    const { type, id } = req.params;
    svc(req).assertType(type);
    return history(req, reply, base(req), svc(req), type, id);
  });

  app.get<{ Params: Params }>('/:type/:id/_history/:vid', async (req, reply) => {
    const { type, id, vid } = req.params;
    return sendVersion(reply, 200, await svc(req).vread(type, id, vid));
  });

  for (const method of ['GET', 'POST'] as const) {
    app.route<{ Params: Params }>({
      method,
      url: '/:type/:id/:op',
      handler: async (req, reply) => {
        const { type, id, op } = req.params as Params & { op: string };
        if (!op.startsWith('$')) throw new FhirError('not_found', `Unknown path ${type}/${id}/${op}`);
        return operation(req, reply, 'instance', op.slice(1), type, id, base(req));
      },
    });
  }

  async function search(
    req: FastifyRequest,
    reply: FastifyReply,
    type: string | undefined,
    query: Query,
    b: string,
  ): Promise<FastifyReply> {
    const service = svc(req);
    const strict = /handling=strict/.test(header(req, 'prefer') ?? '');
    const { result, unknown, count, offset } = type
      ? await service.search(type, query)
      : await service.systemSearch(query);
    if (unknown.length && strict) {
      throw new FhirError(
        'unknown_search_param',
        `Unknown search parameter(s) for ${type}: ${unknown.join(', ')}`,
      );
    }
    const url = `${b}${type ? `/${type}` : ''}?${new URLSearchParams(flatten(query)).toString()}`;
    const outcome = unknown.length
      ? JSON.stringify({
          resourceType: 'OperationOutcome',
          issue: unknown.map((u) => ({
            severity: 'warning',
            code: 'not-supported',
            diagnostics: `Parameter '${u}' was ignored`,
          })),
        })
      : undefined;
    const q = query as Record<string, string | undefined>;
    const body = searchsetBundle(b, result, pageLinks(url, offset, count, result.hasMore), {
      summary: first(q._summary),
      elements: first(q._elements)?.split(','),
      outcome,
    });
    return reply.code(200).header('content-type', FHIR_JSON).send(body);
  }

  async function history(
    req: FastifyRequest,
    reply: FastifyReply,
    b: string,
    service: FhirService,
    type?: string,
    id?: string,
  ): Promise<FastifyReply> {
    const q = req.query as Record<string, string | undefined>;
    const count = Math.min(MAX_COUNT, wholeNumber('_count', q._count) ?? DEFAULT_COUNT);
    const offset = wholeNumber('_offset', q._offset) ?? 0;
    const since = instantParam('_since', q._since);
    const at = instantParam('_at', q._at);
    if (type && id)
      await service.store.read(type, id).catch((e: FhirError) => {
        if (e.code !== 'gone') throw e;
      });
    const { entries, total } = await service.store.history({
      resourceType: type,
      id,
      since: since?.low,
      at,
      count,
      offset,
    });
    const url = `${b}/${[type, id, '_history'].filter(Boolean).join('/')}?${new URLSearchParams(flatten(q as Query)).toString()}`;
    const body = historyBundle(
      b,
      entries,
      total,
      pageLinks(url, offset, count, offset + entries.length < total),
    );
    return reply.code(200).header('content-type', FHIR_JSON).send(body);
  }

  async function operation(
    req: FastifyRequest,
    reply: FastifyReply,
    level: 'system' | 'type' | 'instance',
    name: string,
    type: string | undefined,
    id: string | undefined,
    b: string,
  ): Promise<FastifyReply> {
    if (type) svc(req).assertType(type);
    const op = findOperation(name, level, type);
    if (!op)
      throw new FhirError(
        'not_supported',
        `Operation $${name} is not supported at ${type ?? 'system'} level`,
      );
    const out = await op.handler({
      service: svc(req),
      resourceType: type,
      id,
      body: req.body,
      query: req.query as Query,
      base: b,
      headers: req.headers,
    });
    for (const [name, value] of Object.entries(out.headers ?? {})) reply.header(name, value);
    return send(reply, out.status, out.resource);
  }
}

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', FHIR_JSON).send(JSON.stringify(body));
}

function sendVersion(reply: FastifyReply, status: number, v: StoredVersion): FastifyReply {
  return reply
    .code(status)
    .header('content-type', FHIR_JSON)
    .header('etag', `W/"${v.versionId}"`)
    .header('last-modified', new Date(v.lastUpdated).toUTCString())
    .send(v.json);
}

function written(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  v: StoredVersion,
  b: string,
): FastifyReply {
  reply
    .header('location', `${b}/${v.resourceType}/${v.id}/_history/${v.versionId}`)
    .header('etag', `W/"${v.versionId}"`)
    .header('last-modified', new Date(v.lastUpdated).toUTCString());
  const prefer = preferReturn(req);
  if (prefer === 'minimal') return reply.code(status).send();
  if (prefer === 'OperationOutcome') {
    return send(reply, status, {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'information',
          code: 'informational',
          diagnostics: `${v.resourceType}/${v.id} version ${v.versionId} stored`,
        },
      ],
    });
  }
  return reply.code(status).header('content-type', FHIR_JSON).send(v.json);
}

function preferReturn(req: FastifyRequest): string | undefined {
  return /return=([A-Za-z]+)/.exec(header(req, 'prefer') ?? '')?.[1];
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function ifMatch(req: FastifyRequest): number | undefined {
  const v = header(req, 'if-match');
  if (!v) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(v.trim());
  if (!m) throw new FhirError('invalid_value', `If-Match '${v}' is not a version ETag like W/"3"`);
  return Number(m[1]);
}

function notModified(req: FastifyRequest, v: StoredVersion): boolean {
  const inm = header(req, 'if-none-match');
  return !!inm && inm.replace(/^W\//, '').replace(/"/g, '') === String(v.versionId);
}

function rawQuery(req: FastifyRequest): string {
  const i = req.url.indexOf('?');
  return i < 0 ? '' : req.url.slice(i + 1);
}

function flatten(query: Query): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(query)) {
    if (k === '_offset' || v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) out.push([k, x]);
  }
  return out;
}

function wholeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new FhirError('invalid_search', `${name} must be a whole number, not '${value}'`, name);
  return Number(value);
}

/** A history time parameter: a FHIR instant or dateTime, as the range it covers. */
function instantParam(name: string, value: string | undefined): DateRange | undefined {
  if (value === undefined) return undefined;
  const range = dateRange(value);
  if (!range) throw new FhirError('invalid_search', `${name} must be a FHIR instant, not '${value}'`, name);
  return range;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
