import type { Queryable, StoredVersion } from './repository';
import type { VisibilityFilter } from './search/execute';
import { SqlParams } from './search/params';

export interface HistoryQuery {
  resourceType?: string;
  id?: string;
  since?: string;
  /** `_at`: the period (of the given precision) during which the versions must have been current. */
  at?: { low: string; high: string };
  count: number;
  offset: number;
}

export interface HistoryEntry extends StoredVersion {
  /** The method that produced this version, for Bundle.entry.request. */
  method: 'POST' | 'PUT' | 'DELETE';
}

/**
 * Versions, newest first, for one resource, one type or the whole system. With `visible`, only
 * versions whose own row and whose current row both pass it (a label added later hides older
 * versions too), counted the same way.
 */
export async function readHistory(
  db: Queryable,
  q: HistoryQuery,
  visible?: VisibilityFilter,
): Promise<{ entries: HistoryEntry[]; total: number }> {
  const p = new SqlParams();
  const conds: string[] = ['true'];
  if (q.resourceType) conds.push(`resource_type = ${p.add(q.resourceType)}`);
  if (q.id) conds.push(`id = ${p.add(q.id)}`);
  if (q.since) conds.push(`last_updated >= ${p.add(q.since)}::timestamptz`);
  if (q.at) {
    // Versions that were current at some moment of the period: written before its end, and not
    // replaced by a later version before its start.
    conds.push(`last_updated < ${p.add(q.at.high)}::timestamptz`);
    conds.push(`not exists (select 1 from fhir_history n where n.resource_type = fhir_history.resource_type
      and n.id = fhir_history.id and n.version_id > fhir_history.version_id
      and n.last_updated <= ${p.add(q.at.low)}::timestamptz)`);
  }
  if (visible) {
    const type = q.resourceType ?? '*';
    const own = visible(type, p, { alias: 'fhir_history' });
    const current = visible(type, p, { alias: 'hc' });
    if (own) conds.push(`(${own})`);
    if (current)
      conds.push(`exists (select 1 from fhir_resources hc where hc.resource_type = fhir_history.resource_type
        and hc.id = fhir_history.id and (${current}))`);
  }
  const where = conds.join(' and ');
  const countParams = [...p.values];
  const { rows } = await db.query(
    `select resource_type, id, version_id, deleted, content::text as json, compartment from fhir_history where ${where}
     order by last_updated desc, resource_type, id, version_id desc limit ${p.add(q.count)} offset ${p.add(q.offset)}`,
    p.values,
  );
  const total = (await db.query(`select count(*)::int as n from fhir_history where ${where}`, countParams))
    .rows[0].n;
  return {
    total,
    entries: rows.map((r) => {
      const meta = JSON.parse(r.json).meta ?? {};
      return {
        resourceType: r.resource_type,
        id: r.id,
        versionId: Number(r.version_id),
        lastUpdated: meta.lastUpdated,
        deleted: r.deleted,
        json: r.json,
        ...(r.compartment ? { compartment: r.compartment } : {}),
        method: r.deleted ? 'DELETE' : Number(r.version_id) === 1 ? 'POST' : 'PUT',
      };
    }),
  };
}
