import type { FastifyInstance } from 'fastify';
import type { FhirStore } from '../store';
import { referralLinkView, updateViaLink, verifyReferralLink, type LinkUpdate } from './workflow/link';

/**
 * `/referral-link/:token`: GET the minimum referral data; POST {status, businessStatus,
 * statusReason, outcome, note} to update it as the receiving organization. Errors are
 * OperationOutcomes (the app's error handler).
 */
export async function referralLinkRoutes(app: FastifyInstance, opts: { store: FhirStore }): Promise<void> {
  app.get<{ Params: { token: string } }>('/referral-link/:token', async (req, reply) => {
    const claims = await verifyReferralLink(opts.store.queryable, req.params.token);
    return reply.header('cache-control', 'no-store').send(await referralLinkView(opts.store, claims));
  });
  app.post<{ Params: { token: string }; Body: LinkUpdate }>('/referral-link/:token', async (req, reply) => {
    const claims = await verifyReferralLink(opts.store.queryable, req.params.token);
    const body = (req.body ?? {}) as LinkUpdate;
    await updateViaLink(opts.store, claims, {
      status: str(body.status),
      businessStatus: str(body.businessStatus),
      statusReason: str(body.statusReason),
      outcome: str(body.outcome),
      note: str(body.note),
    });
    return reply.header('cache-control', 'no-store').send(await referralLinkView(opts.store, claims));
  });
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}
