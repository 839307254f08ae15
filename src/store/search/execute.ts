import type { Queryable } from '../repository';
import { searchParamsFor } from '../../fhir/definitions';
import { filterIds } from './conditions';
import type { IncludeSpec, SearchRequest, SortKey } from './model';
import { SqlParams } from './params';
import { searchStatement } from './prepared';

export interface SearchHit {
  resourceType: string;
  id: string;
  json: string;
  mode: 'match' | 'include';
  /** The row's patient compartment (audit: whose data a search returned). */
  compartment?: string[];
}

export interface SearchResult {
  hits: SearchHit[];
  total?: number;
  /** True when more matches exist beyond this page. */
  hasMore: boolean;
}

/**
 * Narrows what a caller may see; returns SQL over alias `r` (or `alias`) of `fhir_resources` (or
 * `fhir_history`), or undefined for all. `allowRedacted: false` drops rows the caller would only get
 * redacted (when a search filters on an element the redaction removes, and for chains and `_has`).
 */
export type VisibilityFilter = (
  resourceType: string,
  p: SqlParams,
  options?: { alias?: string; allowRedacted?: boolean },
) => string | undefined;

const MAX_INCLUDES = 1000;

export async function executeSearch(
  db: Queryable,
  req: SearchRequest,
  visible?: VisibilityFilter,
): Promise<SearchResult> {
  const p = new SqlParams();
  const where = whereClause(req, p, visible);
  const result: SearchResult = { hits: [], hasMore: false };
  if (req.summary !== 'count' && req.count > 0) {
    const order = orderBy(req.sort, p);
    const sql = `select r.id, r.content::text as json, r.compartment from fhir_resources r where ${where}
      order by ${order} limit ${p.add(req.count + 1)} offset ${p.add(req.offset)}`;
    const { rows } = await db.query(searchStatement(sql, p.values));
    result.hasMore = rows.length > req.count;
    for (const row of rows.slice(0, req.count)) {
      result.hits.push({
        resourceType: req.resourceType,
        id: row.id,
        json: row.json,
        mode: 'match',
        ...(row.compartment ? { compartment: row.compartment } : {}),
      });
    }
  }
  if (req.total !== 'none') {
    if (
      req.summary !== 'count' &&
      req.count > 0 &&
      !result.hasMore &&
      (req.offset === 0 || result.hits.length > 0)
    ) {
      result.total = req.offset + result.hits.length; // the page holds the end: no count query needed
    } else {
      const cp = new SqlParams();
      const { rows } = await db.query(
        searchStatement(
          `select count(*)::int as n from fhir_resources r where ${whereClause(req, cp, visible)}`,
          cp.values,
        ),
      );
      result.total = rows[0].n;
    }
  }
  if (result.hits.length && (req.include.length || req.revinclude.length)) {
    result.hits.push(...(await includes(db, req, result.hits, visible)));
  }
  return result;
}

/**
 * A system-level search: one search per type (each parsed for its type, each with the caller's
 * visibility for that type), matched as one result set ordered by `_lastUpdated`/`_id` and paged
 * together. Includes and sorts on other parameters are the caller's to refuse beforehand.
 */
export async function executeSystemSearch(
  db: Queryable,
  reqs: SearchRequest[],
  page: Pick<SearchRequest, 'count' | 'offset' | 'total' | 'summary' | 'sort'>,
  visibleFor?: (req: SearchRequest) => VisibilityFilter | undefined,
): Promise<SearchResult> {
  const result: SearchResult = { hits: [], hasMore: false };
  if (!reqs.length) {
    if (page.total !== 'none') result.total = 0;
    return result;
  }
  // One branch per type joined by `union all`, not one `where` of `or`s: each branch is planned
  // alone (its type's indexes, its own visibility filter). As one `or` over the Patient
  // compartment's types, PostgreSQL took about a minute for $everything on a database of a few rows.
  const matching = (p: SqlParams, columns: string): string =>
    reqs
      .map((r) => `select ${columns} from fhir_resources r where ${whereClause(r, p, visibleFor?.(r))}`)
      .join('\n      union all ');
  if (page.summary !== 'count' && page.count > 0) {
    const p = new SqlParams();
    const sql = `select r.resource_type, r.id, r.content::text as json, r.compartment from (
      ${matching(p, 'r.resource_type, r.id, r.last_updated, r.content, r.compartment')}) r
      order by ${orderBy(page.sort, p)}, r.resource_type
      limit ${p.add(page.count + 1)} offset ${p.add(page.offset)}`;
    const { rows } = await db.query(searchStatement(sql, p.values));
    result.hasMore = rows.length > page.count;
    for (const row of rows.slice(0, page.count))
      result.hits.push({
        resourceType: row.resource_type,
        id: row.id,
        json: row.json,
        mode: 'match',
        ...(row.compartment ? { compartment: row.compartment } : {}),
      });
  }
  if (page.total !== 'none') {
    if (
      page.summary !== 'count' &&
      page.count > 0 &&
      !result.hasMore &&
      (page.offset === 0 || result.hits.length)
    )
      result.total = page.offset + result.hits.length;
    else {
      const p = new SqlParams();
      const { rows } = await db.query(
        searchStatement(`select count(*)::int as n from (${matching(p, '1')}) r`, p.values),
      );
      result.total = rows[0].n;
    }
  }
  return result;
}

/**
 * The ids of what each of several searches matches (filters only: no sort, includes or total; at most
 * `limit` each), in one statement: a group of conditional writes resolves all its criteria in one
 * round trip instead of one each. The n-th list holds the n-th search's matches.
 */
export async function executeSearchMany(
  db: Queryable,
  reqs: SearchRequest[],
  limit: number,
  visible?: VisibilityFilter,
): Promise<string[][]> {
  const out: string[][] = reqs.map(() => []);
  if (reqs.length === 0) return out;
  const p = new SqlParams();
  const parts = reqs.map(
    (req, n) =>
      `(select ${n} as n, r.id from fhir_resources r where ${whereClause(req, p, visible)} limit ${limit})`,
  );
  const { rows } = await db.query(parts.join(' union all '), p.values);
  for (const row of rows) out[Number(row.n)].push(row.id as string);
  return out;
}

/** The resource types that have any current resource (a loose index scan: one probe per type). */
export async function storedResourceTypes(db: Queryable): Promise<string[]> {
  const { rows } = await db.query(
    `with recursive t(type) as (
       (select resource_type from fhir_resources order by resource_type limit 1)
       union all
       select (select resource_type from fhir_resources where resource_type > t.type order by resource_type limit 1)
       from t where t.type is not null)
     select type from t where type is not null`,
  );
  return rows.map((r) => r.type as string);
}

function whereClause(req: SearchRequest, p: SqlParams, visible?: VisibilityFilter): string {
  const conds = [`r.resource_type = ${p.add(req.resourceType)}`, 'not r.deleted'];
  for (const f of req.filters) {
    const ids = filterIds(req.resourceType, f, p, visible);
    conds.push(`r.id ${ids.negate ? 'not in' : 'in'} (${ids.sql})`);
  }
  const v = visible?.(req.resourceType, p);
  if (v) conds.push(`(${v})`);
  return conds.join(' and ');
}

const SORT_COLUMN: Record<string, [string, string]> = {
  string: ['string', 'value'],
  token: ['token', 'value'],
  date: ['date', 'low'],
  number: ['number', 'value'],
  quantity: ['quantity', 'value'],
  reference: ['reference', 'ref'],
  uri: ['uri', 'value'],
};

function orderBy(sort: SortKey[], p: SqlParams): string {
  const parts: string[] = [];
  for (const key of sort) {
    const dir = key.descending ? 'desc' : 'asc';
    if (key.code === '_id') parts.push(`r.id ${dir}`);
    else if (key.code === '_lastUpdated') parts.push(`r.last_updated ${dir}`);
    else {
      const [table, column] = SORT_COLUMN[key.type] ?? SORT_COLUMN.string;
      const col = key.type === 'date' && key.descending ? 'high' : column;
      const agg = key.descending ? 'max' : 'min';
      parts.push(
        `(select ${agg}(s.${col}) from sp_${table} s where s.resource_type = r.resource_type and s.id = r.id and s.code = ${p.add(key.code)}) ${dir} nulls last`,
      );
    }
  }
  parts.push('r.id asc');
  return parts.join(', ');
}

/** _include and _revinclude, with :iterate applied to what each round added, all visibility-checked. */
async function includes(
  db: Queryable,
  req: SearchRequest,
  matches: SearchHit[],
  visible?: VisibilityFilter,
): Promise<SearchHit[]> {
  const seen = new Set(matches.map((h) => `${h.resourceType}/${h.id}`));
  const added: SearchHit[] = [];
  let frontier = matches;
  let first = true;
  while (frontier.length && added.length < MAX_INCLUDES) {
    const next: SearchHit[] = [];
    for (const spec of req.include) {
      if (!first && !spec.iterate) continue;
      next.push(...(await forwardIncludes(db, spec, frontier, seen, visible)));
    }
    for (const spec of req.revinclude) {
      if (!first && !spec.iterate) continue;
      next.push(...(await reverseIncludes(db, spec, frontier, seen, visible)));
    }
    added.push(...next);
    frontier = next;
    first = false;
    if (!req.include.some((s) => s.iterate) && !req.revinclude.some((s) => s.iterate)) break;
  }
  return added.slice(0, MAX_INCLUDES);
}

function referenceCodes(sourceType: string, spec: IncludeSpec): string[] {
  if (!spec.wildcard) return [spec.code];
  return [...searchParamsFor(sourceType).values()]
    .filter((i) => i.param.type === 'reference')
    .map((i) => i.code);
}

async function forwardIncludes(
  db: Queryable,
  spec: IncludeSpec,
  from: SearchHit[],
  seen: Set<string>,
  visible?: VisibilityFilter,
): Promise<SearchHit[]> {
  const out: SearchHit[] = [];
  const byType = groupByType(
    from.filter((h) => spec.sourceType === '*' || h.resourceType === spec.sourceType),
  );
  for (const [sourceType, ids] of byType) {
    const p = new SqlParams();
    const codes = referenceCodes(sourceType, spec);
    const targetCond = spec.targetType ? `and s.target_type = ${p.add(spec.targetType)}` : '';
    const sql = `select r.resource_type, r.id, r.content::text as json, r.compartment from fhir_resources r
      join (select distinct s.target_type, s.target_id from sp_reference s
            where s.resource_type = ${p.add(sourceType)} and s.id = any(${p.add(ids)}::text[])
              and s.code = any(${p.add(codes)}::text[]) and s.target_id is not null ${targetCond}) t
        on r.resource_type = t.target_type and r.id = t.target_id
      where not r.deleted ${visibilitySql(visible, p)}
      limit ${MAX_INCLUDES}`;
    for (const row of (await db.query(searchStatement(sql, p.values))).rows) addHit(out, seen, row);
  }
  return out;
}

async function reverseIncludes(
  db: Queryable,
  spec: IncludeSpec,
  from: SearchHit[],
  seen: Set<string>,
  visible?: VisibilityFilter,
): Promise<SearchHit[]> {
  const out: SearchHit[] = [];
  for (const [targetType, ids] of groupByType(from)) {
    const p = new SqlParams();
    const sourceType = spec.sourceType;
    const codes = sourceType === '*' ? null : referenceCodes(sourceType, spec);
    const sql = `select r.resource_type, r.id, r.content::text as json, r.compartment from fhir_resources r
      where not r.deleted and (r.resource_type, r.id) in (
        select s.resource_type, s.id from sp_reference s
        where s.target_type = ${p.add(targetType)} and s.target_id = any(${p.add(ids)}::text[])
          ${sourceType === '*' ? '' : `and s.resource_type = ${p.add(sourceType)}`}
          ${codes ? `and s.code = any(${p.add(codes)}::text[])` : ''})
        ${visibilitySql(visible, p)}
      limit ${MAX_INCLUDES}`;
    for (const row of (await db.query(searchStatement(sql, p.values))).rows) addHit(out, seen, row);
  }
  return out;
}

function visibilitySql(visible: VisibilityFilter | undefined, p: SqlParams): string {
  // Includes span types, so the filter is asked with the row's own type unknown: '*'.
  const v = visible?.('*', p);
  return v ? `and (${v})` : '';
}

function addHit(out: SearchHit[], seen: Set<string>, row: any): void {
  const key = `${row.resource_type}/${row.id}`;
  if (seen.has(key)) return;
  seen.add(key);
  out.push({
    resourceType: row.resource_type,
    id: row.id,
    json: row.json,
    mode: 'include',
    ...(row.compartment ? { compartment: row.compartment } : {}),
  });
}

function groupByType(hits: SearchHit[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const h of hits) {
    const list = map.get(h.resourceType) ?? [];
    list.push(h.id);
    map.set(h.resourceType, list);
  }
  return map;
}
