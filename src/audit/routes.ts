import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FhirError } from '../fhir/errors';
import { requireRole } from '../privacy/auth';
import { defaultPolicy, type AccessPolicy, type Role } from '../privacy/policy';
import { disclosuresFor } from './disclosures';
import { recordAudit, type Sql } from './record';
import { verifyAuditChain } from './verify';

export interface AuditRoutesOptions {
  db: Sql;
}

const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((x) => String(x).split(',')).filter(Boolean);

const instant = (v: unknown, name: string): string | undefined => {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v)))
    throw new FhirError('invalid_value', `${name} must be a date or instant`);
  return v;
};

/**
 * The roles that read audit data: those the access policy opens AuditEvent to (its
 * `audit-administrators-only` rule), so the report and the FHIR API cannot disagree.
 */
export function auditReaderRoles(policy: AccessPolicy = defaultPolicy): Role[] {
  return (
    policy.restrictedTypes.find((t) => t.resourceTypes.includes('AuditEvent'))?.roles ?? ['administrator']
  );
}

/**
 * Audit API, for administrators (the roles the policy lets read AuditEvent; register under
 * requireAuth, which sets `req.caller`):
 * - GET /api/audit/disclosures?patient=Patient/1[&patient=...][&since=][&until=][&failures=true]
 *   the accounting of disclosures for a person (pass every linked Patient id);
 * - GET /api/audit/verify: checks the hash chain (administrators only).
 */
export async function auditRoutes(app: FastifyInstance, opts: AuditRoutesOptions): Promise<void> {
  app.get('/api/audit/disclosures', async (req: FastifyRequest) => {
    const caller = requireRole(req, ...auditReaderRoles());
    const q = req.query as Record<string, unknown>;
    const patients = list(q.patient);
    if (!patients.length) throw new FhirError('required_missing', 'patient is required');
    const disclosures = await disclosuresFor(opts.db, patients, {
      since: instant(q.since, 'since'),
      until: instant(q.until, 'until'),
      includeFailures: q.failures === 'true',
    });
    // Reading someone's access history is itself an access to record.
    await recordAudit(opts.db, {
      action: 'search',
      caller,
      patients,
      query: `AuditEvent?entity=${patients.join(',')}`,
      network: { address: req.ip, userAgent: req.headers['user-agent'] },
    });
    return { patients, count: disclosures.length, disclosures };
  });

  app.get('/api/audit/verify', async (req: FastifyRequest) => {
    requireRole(req, 'administrator');
    return verifyAuditChain(opts.db);
  });
}
