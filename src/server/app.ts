import Fastify, { type FastifyInstance } from 'fastify';
import { parse as parseQuery } from 'node:querystring';
import { FhirError, operationOutcome } from '../fhir/errors';
import { fhirRoutes, FHIR_JSON } from '../fhir/routes';
import { FhirService } from '../fhir/service';
import type { Kith } from './open';
import { installNotify } from '../notify';
import { installReferrals } from '../referrals';
import { installAuth } from './auth-wiring';

export interface AppOptions {
  logger?: boolean;
}

/** Builds the HTTP server without listening, so tests drive it in-process with `inject`. */
export async function buildApp(kith: Kith, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ? { level: kith.config.logLevel } : false,
    bodyLimit: 64 * 1024 * 1024,
    routerOptions: { maxParamLength: 200 },
  });

  const parseJson = (
    _req: unknown,
    body: string | Buffer,
    done: (err: Error | null, value?: unknown) => void,
  ): void => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new FhirError('invalid_json', `The body is not valid JSON: ${(err as Error).message}`));
    }
  };
  app.removeContentTypeParser('application/json');
  // Fastify reads text/plain as a string by default; the API takes JSON, so text/plain gets a 415.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    ['application/json', 'application/fhir+json', 'application/json-patch+json'],
    { parseAs: 'string' },
    parseJson,
  );
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseQuery(body.toString()));
  });

  app.setErrorHandler((err: any, req, reply) => {
    let fhirErr: FhirError;
    if (err instanceof FhirError) fhirErr = err;
    else if (err?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      fhirErr = new FhirError(
        'unsupported_media',
        `Content-Type '${req.headers['content-type']}' is not supported; use application/fhir+json`,
      );
    } else if (err?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      fhirErr = new FhirError('invalid_resource', 'The body is larger than the server accepts');
    } else if (typeof err?.statusCode === 'number' && err.statusCode < 500) {
      fhirErr = new FhirError('invalid_value', err.message);
    } else {
      req.log.error(err);
      fhirErr = new FhirError('internal', 'The server could not complete the request; the error was logged');
    }
    return reply
      .code(fhirErr.status)
      .header('content-type', FHIR_JSON)
      .send(JSON.stringify(fhirErr.toOperationOutcome()));
  });

  app.setNotFoundHandler((req, reply) => {
    const outcome = operationOutcome('not_found', [
      { diagnostics: `No route for ${req.method} ${req.url.split('?')[0]}` },
    ]);
    return reply.code(404).header('content-type', FHIR_JSON).send(JSON.stringify(outcome));
  });

  // Sign-in and tokens: every request below carries a verified caller (req.caller) or gets 401.
  await installAuth(app, kith);
  const service = new FhirService(kith.store);
  await app.register(fhirRoutes, {
    prefix: '/fhir',
    // Acts for the request's verified caller, under the access policy (no caller: denied everything).
    serviceFor: (req) => service.withCaller(req.caller),
    baseUrl: kith.config.baseUrl,
  });
  await installNotify(kith, app).then(() => installReferrals(kith, app));
  app.get('/healthz', async () => ({ status: 'ok', database: kith.db.kind }));
  return app;
}
