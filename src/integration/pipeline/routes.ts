import type { FastifyInstance } from 'fastify';
import type { Bundle } from '@medplum/fhirtypes';
import type { Kith } from '../../server/open';
import { sftpStatuses } from '../channels/sftp';
import { ensureIntegrationSchema, Pipeline, type ChannelRef } from './pipeline';

export interface IntegrationRouteOptions {
  pipeline?: Pipeline;
  /** Channel lookup by name (from the channel files); unknown names are refused. */
  channels: () => ChannelRef[];
}

/**
 * /api/integration: channel metrics, dead letters and replay, and REST push (FHIR Bundle or CSV).
 * Authentication is applied by the app's API hooks like every other /api route.
 */
export async function registerIntegrationRoutes(
  app: FastifyInstance,
  kith: Kith,
  opts: IntegrationRouteOptions,
): Promise<Pipeline> {
  await ensureIntegrationSchema(kith);
  const pipeline = opts.pipeline ?? new Pipeline(kith);
  const byName = (name: string): ChannelRef | undefined => opts.channels().find((c) => c.name === name);

  if (!app.hasContentTypeParser('text/csv')) {
    app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) =>
      done(null, body.toString()),
    );
  }

  app.get('/api/integration/channels', async () => {
    const metrics = await pipeline.metrics();
    const pulls = await sftpStatuses(kith.db);
    const names = new Set([...opts.channels().map((c) => c.name), ...metrics.map((m) => m.channel)]);
    return {
      channels: [...names].sort().map((name) => {
        const c = byName(name);
        const m = metrics.find((x) => x.channel === name);
        return {
          name,
          kind: c?.kind ?? null,
          configured: Boolean(c),
          received: m?.received ?? 0,
          committed: m?.committed ?? 0,
          failed: m?.failed ?? 0,
          duplicate: m?.duplicate ?? 0,
          lastReceived: m?.lastReceived ?? null,
          latencyMs: m?.latencyMs ?? { p50: null, p99: null, window: 0 },
          // SFTP pull: the last attempt and its error, if the channel pulls from a server.
          pull: (c && 'sftp' in c && c.sftp) || pulls.has(name) ? (pulls.get(name) ?? null) : undefined,
        };
      }),
    };
  });

  // Paged oldest first: `limit` (default 100, at most 1000) and `after` (the `next` of the last page).
  app.get('/api/integration/dead-letters', async (req, reply) => {
    const q = req.query as { channel?: string; limit?: string; after?: string; raw?: string };
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    const after = q.after === undefined ? 0 : Number(q.after);
    if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(after) || after < 0)
      return reply.code(400).send({ error: 'limit must be a positive integer and after a message id' });
    return pipeline.deadLetters({
      channel: q.channel,
      limit: Math.min(1000, limit),
      after,
      raw: q.raw === 'true',
    });
  });

  app.post('/api/integration/dead-letters/:id/replay', async (req, reply) => {
    const id = Number((req.params as { id: string }).id);
    const body = req.body as { raw?: string } | string | undefined;
    const raw = typeof body === 'string' ? body || undefined : body?.raw;
    try {
      return await pipeline.replay(id, byName, raw);
    } catch (err) {
      return reply.code(409).send({ error: (err as Error).message });
    }
  });

  app.post('/api/integration/channels/:channel/push', async (req, reply) => {
    const channel = byName((req.params as { channel: string }).channel);
    if (!channel) return reply.code(404).send({ error: 'no such channel' });
    const body = req.body;
    if (typeof body === 'string') {
      if (channel.kind === 'hl7v2') return pipeline.receiveHl7(channel, body);
      if (['eligibility', 'wic', 'jail'].includes(channel.kind))
        return pipeline.receiveCsv(channel, body, 'push.csv');
      return reply.code(415).send({ error: `channel ${channel.name} does not take text` });
    }
    if (body && typeof body === 'object' && (body as Bundle).resourceType === 'Bundle') {
      return pipeline.receiveFhirBundle(channel, body as Bundle);
    }
    return reply.code(400).send({ error: 'send a FHIR Bundle (application/fhir+json) or CSV (text/csv)' });
  });
  return pipeline;
}
