import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FhirError } from '../errors';
import type { FhirService } from '../service';
import { scopeCoverage, scopeFor } from '../../privacy/policy';
import { deleteJob, findJob, listFiles, ownerOf, readFile } from './jobs';

const NDJSON = 'application/fhir+ndjson';

/**
 * The status URL and output files of `$export` jobs (FHIR Bulk Data 2.0). Each answers only the
 * caller who kicked the job off: anyone else gets 404, as for a job that does not exist. Files are
 * served only while the caller's scopes still open their type.
 */
export function exportJobRoutes(
  app: FastifyInstance,
  svc: (req: FastifyRequest) => FhirService,
  base: (req: FastifyRequest) => string,
): void {
  type JobParams = { job: string };
  const unknownJob = (id: string) => new FhirError('not_found', `No export job ${id}`);

  app.get<{ Params: JobParams }>('/$export-status/:job', async (req, reply) => {
    const service = svc(req);
    const db = service.store.queryable;
    const job = await findJob(db, req.params.job, ownerOf(service.store.actor));
    if (!job) throw unknownJob(req.params.job);
    if (job.status === 'running')
      return reply
        .code(202)
        .header('x-progress', job.progress ?? 'running')
        .header('retry-after', '1')
        .send();
    if (job.status === 'failed') throw new FhirError('internal', `Export job ${job.id} failed: ${job.error}`);
    const b = base(req);
    const manifest = {
      transactionTime: job.transactionTime,
      request: job.request,
      requiresAccessToken: true,
      output: (await listFiles(db, job.id)).map((f) => ({
        type: f.type,
        url: `${b}/$export-file/${job.id}/${f.type}`,
        count: f.count,
      })),
      error: [],
    };
    return reply.code(200).header('content-type', 'application/json').send(JSON.stringify(manifest));
  });

  app.delete<{ Params: JobParams }>('/$export-status/:job', async (req, reply) => {
    const service = svc(req);
    if (!(await deleteJob(service.store.queryable, req.params.job, ownerOf(service.store.actor))))
      throw unknownJob(req.params.job);
    return reply.code(202).send();
  });

  app.get<{ Params: JobParams & { type: string } }>('/$export-file/:job/:type', async (req, reply) => {
    const service = svc(req);
    const { job, type } = req.params;
    const ndjson = await readFile(service.store.queryable, job, ownerOf(service.store.actor), type);
    if (ndjson === undefined) throw new FhirError('not_found', `No export file ${job}/${type}`);
    if (scopeFor(scopeCoverage(service.store.actor, 's'), type) === 'none')
      throw new FhirError('forbidden', `The access token's scopes do not cover ${type}`);
    return reply.code(200).header('content-type', NDJSON).send(ndjson);
  });
}
