import type { Consent } from '@medplum/fhirtypes';
import { flattenConsent, type FlattenOptions, type FlattenResult } from './flatten';
import type { Grant } from './grant';

/** Anything that runs SQL: a pg client inside the write transaction, a pool, Kith's Database. */
export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
}

const COLUMNS =
  'consent_id, seq, patient, grantee, permit, depth, labels, resource_types, purposes, resources, period_start, period_end, categories';

/** Removes every grant row of a Consent (on delete, or before re-inserting). */
export async function deleteConsentGrants(client: SqlClient, consentId: string): Promise<void> {
  await client.query('delete from consent_grants where consent_id = $1', [consentId]);
}

/**
 * Replaces the grant rows of one Consent with its current flattening: call it in the same
 * transaction as every create, update (revoke included) and delete of a Consent, so a decision
 * takes effect on the next request. A deleted, revoked or non-privacy consent leaves no rows.
 */
export async function syncConsentGrants(
  client: SqlClient,
  consent: Consent,
  options: FlattenOptions & { deleted?: boolean } = {},
): Promise<FlattenResult> {
  if (!consent.id) throw new Error('syncConsentGrants: the consent has no id');
  await deleteConsentGrants(client, consent.id);
  if (options.deleted) return { grants: [], notes: ['deleted: no grants'] };
  const result = flattenConsent(consent, options);
  const rows = result.grants;
  for (let start = 0; start < rows.length; start += 500) {
    const params: unknown[] = [];
    const values = rows.slice(start, start + 500).map((g, i) => {
      const ps = [
        g.consentId,
        start + i,
        g.patient,
        g.grantee,
        g.permit,
        g.depth,
        g.labels,
        g.resourceTypes ?? null,
        g.purposes ?? null,
        g.resources ?? null,
        g.periodStart ?? null,
        g.periodEnd ?? null,
        g.categories ?? null,
      ].map((v) => `$${params.push(v)}`);
      return `(${ps[0]}, ${ps[1]}::int, ${ps[2]}, ${ps[3]}, ${ps[4]}::boolean, ${ps[5]}::int, ${ps[6]}::text[], ${ps[7]}::text[], ${ps[8]}::text[], ${ps[9]}::text[], ${ps[10]}::timestamptz, ${ps[11]}::timestamptz, ${ps[12]}::text[])`;
    });
    await client.query(`insert into consent_grants (${COLUMNS}) values ${values.join(', ')}`, params);
  }
  return result;
}

/** A timestamptz as an ISO instant, whether the driver returns a Date or PostgreSQL's text form. */
function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const text = String(value)
    .replace(' ', 'T')
    .replace(/([+-]\d{2})$/, '$1:00');
  return new Date(text).toISOString();
}

/** The grant rows for some patients (ids without "Patient/"), for `decide` on a single resource. */
export async function loadGrants(client: SqlClient, patients: string[]): Promise<Grant[]> {
  if (!patients.length) return [];
  const { rows } = await client.query(
    `select ${COLUMNS} from consent_grants where patient = any($1::text[]) order by consent_id, seq`,
    [patients],
  );
  return rows.map(grantFromRow);
}

/**
 * The consent-grant rows of a row's patients as one JSON value, selected with the row itself
 * (`AccessControl.readCompanionSql`); `grantFromRow` reads each element.
 */
export const GRANTS_OF_ROW_SQL = `(select coalesce(json_agg(g order by g.consent_id, g.seq), '[]'::json)
  from consent_grants g
  where g.patient = any(array(select regexp_replace(c, '^Patient/', '') from unnest(compartment) as c)))`;

/** A consent_grants row (from the driver, or from JSON) as a Grant. */
export function grantFromRow(r: any): Grant {
  return {
    consentId: r.consent_id,
    patient: r.patient,
    grantee: r.grantee,
    permit: r.permit,
    depth: r.depth,
    labels: r.labels ?? [],
    ...(r.resource_types ? { resourceTypes: r.resource_types } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
    ...(r.purposes ? { purposes: r.purposes } : {}),
    ...(r.resources ? { resources: r.resources } : {}),
    ...(r.period_start ? { periodStart: iso(r.period_start) } : {}),
    ...(r.period_end ? { periodEnd: iso(r.period_end) } : {}),
  };
}
