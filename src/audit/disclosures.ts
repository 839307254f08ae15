import type { AuditEvent } from '@medplum/fhirtypes';
import {
  AGENT_ORGANIZATION_EXT,
  KITH_CLIENT_SYSTEM,
  KITH_USER_SYSTEM,
  patientRef,
  type AuditAction,
} from './event';
import type { Sql } from './record';

/** Actions that show a person's data to someone: the accounting of disclosures lists these. */
export const DISCLOSURE_ACTIONS: AuditAction[] = [
  'read',
  'vread',
  'search',
  'history',
  'export',
  'operation',
  'transaction',
  'break-glass',
];

export interface Disclosure {
  seq: number;
  id: string;
  recorded: string;
  action: string;
  outcome: 'success' | 'failure';
  who: {
    kind: 'user' | 'client';
    id?: string;
    display?: string;
    practitionerRole?: string;
    organization?: string;
  };
  /** The app through which a user acted. */
  app?: string;
  purposeOfUse?: string;
  /** The patients of this request among those asked about. */
  patients: string[];
  /** Resources returned or touched. */
  resources: string[];
  query?: string;
  reason?: string;
}

export interface DisclosureQuery {
  since?: string;
  until?: string;
  /** Default DISCLOSURE_ACTIONS (and `denied` with includeFailures). */
  actions?: string[];
  /** Include denied or failed attempts (default: only what was shown). */
  includeFailures?: boolean;
  limit?: number;
}

function toDisclosure(seq: number, event: AuditEvent, asked: Set<string>): Disclosure {
  const agent = event.agent?.find((a) => a.requestor) ?? event.agent?.[0];
  const ident = agent?.who?.identifier;
  const app = event.agent?.find((a) => !a.requestor && a.who?.identifier?.system === KITH_CLIENT_SYSTEM);
  const org = agent?.extension?.find((e) => e.url === AGENT_ORGANIZATION_EXT)?.valueReference?.reference;
  const entities = event.entity ?? [];
  const isPatient = (e: (typeof entities)[number]) => e.role?.code === '1';
  const patientRefs = entities.filter(isPatient).map((e) => e.what?.reference as string);
  const resourceRefs = entities
    .filter((e) => !isPatient(e) && e.what?.reference)
    .map((e) => e.what?.reference as string);
  const detail = entities.flatMap((e) => e.detail ?? []);
  const queryEntity = entities.find((e) => e.description !== undefined || e.query !== undefined);
  return {
    seq,
    id: event.id as string,
    recorded: event.recorded as string,
    action: event.subtype?.find((c) => c.system?.includes('kith'))?.code ?? event.type?.code ?? 'other',
    outcome: event.outcome === '0' ? 'success' : 'failure',
    who: {
      kind: ident?.system === KITH_CLIENT_SYSTEM ? 'client' : 'user',
      id:
        ident?.system === KITH_USER_SYSTEM || ident?.system === KITH_CLIENT_SYSTEM ? ident.value : undefined,
      display: agent?.who?.display,
      practitionerRole: agent?.who?.reference,
      organization: org,
    },
    app: app?.who?.identifier?.value,
    purposeOfUse: event.purposeOfEvent?.[0]?.coding?.[0]?.code,
    patients: [
      ...new Set([...patientRefs, ...resourceRefs].filter((r) => /^Patient\//.test(r)).map(patientRef)),
    ].filter((r) => asked.has(r)),
    resources: resourceRefs,
    query:
      queryEntity?.description ??
      (queryEntity?.query ? Buffer.from(queryEntity.query, 'base64').toString('utf8') : undefined),
    reason: detail.find((d) => d.type === 'reason')?.valueString,
  };
}

/**
 * Accounting of disclosures: who saw the data of these patients (`Patient/1` or `1`; pass every
 * Patient record linked to the person), when, and why — newest first.
 */
export async function disclosuresFor(
  db: Sql,
  patientIds: string[],
  q: DisclosureQuery = {},
): Promise<Disclosure[]> {
  const patients = [...new Set(patientIds.map(patientRef))];
  if (!patients.length) return [];
  const actions = q.actions ?? (q.includeFailures ? [...DISCLOSURE_ACTIONS, 'denied'] : DISCLOSURE_ACTIONS);
  const params: unknown[] = [patients, actions];
  let where = 'patients && $1::text[] and action = any($2::text[])';
  if (!q.includeFailures) where += ` and outcome = '0'`;
  if (q.since) {
    params.push(q.since);
    where += ` and recorded >= $${params.length}::timestamptz`;
  }
  if (q.until) {
    params.push(q.until);
    where += ` and recorded < $${params.length}::timestamptz`;
  }
  params.push(Math.min(Math.max(q.limit ?? 1000, 1), 10_000));
  const { rows } = await db.query(
    `select seq, event from audit_events where ${where}
     order by recorded desc, seq desc limit $${params.length}`,
    params,
  );
  const asked = new Set(patients);
  return rows.map((r) => toDisclosure(Number(r.seq), JSON.parse(r.event), asked));
}
