import type { Task } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordAudit, type AuditAction } from '../audit';
import type { FhirStore } from '../store';
import {
  linkCaller,
  referralLinkView,
  updateViaLink,
  verifyReferralLink,
  type LinkUpdate,
} from './workflow/link';
import type { LinkClaims } from './workflow/link';

/**
 * `/referral-link/:token`: GET the minimum referral data (a browser asking for HTML is sent to the
 * web app's `/referral-response` page, which asks again for JSON); POST {status, businessStatus,
 * statusReason, outcome, note} to update it as the receiving organization. Errors are
 * OperationOutcomes (the app's error handler).
 *
 * A link has no signed-in user: its signed token is the receiving organization's credential, and
 * the link acts as that organization (`linkCaller`). What it shows is the person's data disclosed to
 * that organization, so every use is audited as such and appears in the person's accounting of
 * disclosures.
 */
export async function referralLinkRoutes(app: FastifyInstance, opts: { store: FhirStore }): Promise<void> {
  app.get<{ Params: { token: string } }>('/referral-link/:token', async (req, reply) => {
    // A person opening the link in a browser gets the web app's page for it; the token goes in the
    // fragment, so it stays out of that page's request, logs and Referer.
    const accept = String(req.headers.accept ?? '');
    if (accept.includes('text/html'))
      return reply
        .code(303)
        .header('cache-control', 'no-store')
        .header('location', `/referral-response#${encodeURIComponent(req.params.token)}`)
        .send();
    const claims = await verifyReferralLink(opts.store.queryable, req.params.token);
    const view = await referralLinkView(opts.store.actingAs(linkCaller(claims)), claims);
    await auditLinkUse(opts.store, claims, req, ['read']);
    return reply.header('cache-control', 'no-store').send(view);
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
    const view = await referralLinkView(opts.store.actingAs(linkCaller(claims)), claims);
    await auditLinkUse(opts.store, claims, req, ['update', 'read']);
    return reply.header('cache-control', 'no-store').send(view);
  });
}

/** Records what a link did: the Task, its ServiceRequest and the person it concerns. */
async function auditLinkUse(
  store: FhirStore,
  claims: LinkClaims,
  req: FastifyRequest,
  actions: AuditAction[],
): Promise<void> {
  const task = await store.readResource<Task>('Task', claims.task);
  const patient = task.for?.reference?.startsWith('Patient/') ? task.for.reference : undefined;
  const resources = [`Task/${claims.task}`, task.focus?.reference, patient].filter((r): r is string => !!r);
  const caller = { ...linkCaller(claims), displayName: `Referral link of Organization/${claims.owner}` };
  for (const action of actions)
    await recordAudit(store.queryable, {
      action,
      caller,
      resources: action === 'update' ? [`Task/${claims.task}`] : resources,
      patients: patient ? [patient] : [],
      details: { via: 'referral-link' },
      network: { address: req.ip, userAgent: req.headers['user-agent'] },
    });
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}
