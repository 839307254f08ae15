import { INDEX_TABLES, type IndexRows, type IndexTable } from './index-rows';
import { deleteRowsCte, indexChanges, type IndexedWrite } from './index-diff';
import { readColumns, riderCtes, type ReadRider, type WriteRider } from './riders';

/** Column lists for jsonb_to_recordset, per index table: [recordset columns, insert columns, select list]. */
const INDEX_COLUMNS: Record<IndexTable, [string, string, string]> = {
  string: ['c text, v text, e text', 'value, exact', 'x.v, x.e'],
  token: ['c text, s text, v text, t text', 'system, value, text', 'x.s, x.v, x.t'],
  date: ['c text, lo timestamptz, hi timestamptz', 'low, high', 'x.lo, x.hi'],
  number: ['c text, v numeric', 'value', 'x.v'],
  quantity: ['c text, v numeric, s text, u text', 'value, system, unit', 'x.v, x.s, x.u'],
  reference: ['c text, tt text, ti text, r text', 'target_type, target_id, ref', 'x.tt, x.ti, x.r'],
  uri: ['c text, v text', 'value', 'x.v'],
  composite: [
    'c text, k text, n numeric, lo timestamptz, hi timestamptz',
    'key, num, low, high',
    'x.k, x.n, x.lo, x.hi',
  ],
};

/**
 * One statement that writes a version: the current row (insert or replace), the history row, and
 * the search index rows (old ones removed). One round trip keeps writes fast; it runs inside the
 * caller's transaction, after the row lock was taken, so its snapshot sees every earlier version.
 *
 * Params: $1 type, $2 id, $3 version, $4 lastUpdated, $5 deleted, $6 content, $7 security,
 * $8 compartment, $9 custodian (the access columns), $10.. index rows, then the riders' parameters.
 * `companions` are scalar expressions read in the same statement (they may use $1); `riders` are the
 * transaction's queued statements (see src/store/riders.ts) carried along: writes as CTEs, reads as
 * more result columns after the companions'. With `replaced` (the resource's key and the index
 * rows of the version this one replaces) only the rows that changed are deleted and inserted
 * (see indexChanges), instead of all of them.
 */
export function writeVersionSql(
  rows: IndexRows | null,
  replaceIndexes: boolean,
  companions: string[] = [],
  riders: { writes: WriteRider[]; reads: ReadRider[] } = { writes: [], reads: [] },
  replaced?: { type: string; id: string; old: IndexRows },
): { sql: string; params: unknown[]; readAt: ReadAt[] } {
  const ctes: string[] = [
    `r as (insert into fhir_resources (resource_type, id, version_id, last_updated, deleted, content, security, compartment, custodian)
       values ($1, $2, $3, $4, $5, $6::jsonb, $7::text[], $8::text[], $9::text)
       on conflict (resource_type, id) do update set version_id = excluded.version_id,
         last_updated = excluded.last_updated, deleted = excluded.deleted, content = excluded.content,
         security = excluded.security, compartment = excluded.compartment, custodian = excluded.custodian)`,
    `h as (insert into fhir_history (resource_type, id, version_id, last_updated, deleted, content, security, compartment, custodian)
       values ($1, $2, $3, $4, $5, $6::jsonb, $7::text[], $8::text[], $9::text))`,
  ];
  const params: unknown[] = [];
  const changes =
    rows && replaced
      ? indexChanges([{ type: replaced.type, id: replaced.id, rows, old: replaced.old }])
      : undefined;
  for (const table of INDEX_TABLES) {
    let list: unknown[] | undefined = rows?.[table];
    if (changes) {
      const { deletes, inserts } = changes[table];
      if (deletes.length) {
        const d = deleteRowsCte(table, deletes, 10 + params.length);
        ctes.push(d.cte);
        params.push(...d.values);
      }
      list = inserts;
    } else if (replaceIndexes)
      ctes.push(`d_${table} as (delete from sp_${table} where resource_type = $1 and id = $2)`);
    if (!list || list.length === 0) continue;
    params.push(JSON.stringify(list));
    const [recordset, columns, select] = INDEX_COLUMNS[table];
    ctes.push(
      `i_${table} as (insert into sp_${table} (resource_type, id, code, ${columns})
         select $1, $2, x.c, ${select} from jsonb_to_recordset($${9 + params.length}::jsonb) as x(${recordset}))`,
    );
  }
  const carried = riderCtes(riders.writes, 9 + params.length);
  ctes.push(...carried.ctes);
  params.push(...carried.values);
  const reads = readColumns([riders.reads], 9 + params.length);
  params.push(...reads.values);
  // Companion reads (see WriteCompanion), then the read riders, as result columns c0, c1, ...
  const columns = [...companions, ...reads.expressions];
  const select = columns.length ? columns.map((c, i) => `(${c}) as c${i}`).join(', ') : '1';
  return {
    sql: `with ${ctes.join(',\n')} select ${select}`,
    params,
    readAt: reads.at[0].map((a) => ({ ...a, column: a.column + companions.length })),
  };
}

/**
 * One statement that creates many resources at once (a transaction's creates): version 1 rows,
 * history rows and every index row, each array bound as one JSON parameter.
 * Params: $1 resources [{t, i, c, s, p, u}] (s, p, u: the access columns), $2 lastUpdated, $3..
 * index rows with t and i added.
 */
export function createManySql(
  rows: { type: string; id: string; rows: IndexRows }[],
  riders: { writes: WriteRider[]; reads: ReadRider[][] } = { writes: [], reads: [] },
): {
  sql: string;
  params: unknown[];
  readAt: ReadAt[][];
} {
  return writeManySql(rows, riders, false);
}

/**
 * One statement that writes new versions of many resources at once (concurrent updates): the
 * current rows replaced (or inserted, for create-on-update), history rows, and of their index rows
 * those that changed (see indexChanges: all of them for a resource given without `old`). It runs
 * after the current rows were locked, in the same transaction, and no resource appears twice (one
 * statement cannot change a row twice). Its text depends on which tables have rows to delete or
 * insert. Params: $1 resources [{t, i, v, c, s, p, u}] (v: the new version id), $2 lastUpdated,
 * then per table the delete's arrays and the inserted rows, then the riders' parameters.
 */
export function updateManySql(
  rows: IndexedWrite[],
  riders: { writes: WriteRider[]; reads: ReadRider[][] } = { writes: [], reads: [] },
): {
  sql: string;
  params: unknown[];
  readAt: ReadAt[][];
} {
  return writeManySql(rows, riders, true);
}

function writeManySql(
  rows: IndexedWrite[],
  riders: { writes: WriteRider[]; reads: ReadRider[][] },
  update: boolean,
): { sql: string; params: unknown[]; readAt: ReadAt[][] } {
  const version = update ? 'x.v' : '1';
  const recordset = `jsonb_to_recordset($1::jsonb) as x(t text, i text, ${update ? 'v int, ' : ''}c jsonb, s text[], p text[], u text)`;
  const ctes: string[] = [
    `r as (insert into fhir_resources (resource_type, id, version_id, last_updated, deleted, content, security, compartment, custodian)
       select x.t, x.i, ${version}, $2::timestamptz, false, x.c, x.s, x.p, x.u
       from ${recordset}${
         update
           ? `
       on conflict (resource_type, id) do update set version_id = excluded.version_id,
         last_updated = excluded.last_updated, deleted = excluded.deleted, content = excluded.content,
         security = excluded.security, compartment = excluded.compartment, custodian = excluded.custodian`
           : ''
       })`,
    `h as (insert into fhir_history (resource_type, id, version_id, last_updated, deleted, content, security, compartment, custodian)
       select x.t, x.i, ${version}, $2::timestamptz, false, x.c, x.s, x.p, x.u
       from ${recordset})`,
  ];
  const params: unknown[] = [];
  const changes = update ? indexChanges(rows) : undefined;
  for (const table of INDEX_TABLES) {
    let list: unknown[];
    if (changes) {
      const change = changes[table];
      // The old index rows go in the same statement: its snapshot predates the new ones.
      if (change.deletes.length) {
        const d = deleteRowsCte(table, change.deletes, 3 + params.length);
        ctes.push(d.cte);
        params.push(...d.values);
      }
      list = change.inserts;
    } else {
      list = [];
      for (const r of rows) for (const row of r.rows[table]) list.push({ ...row, rt: r.type, ri: r.id });
    }
    if (list.length === 0) continue;
    params.push(JSON.stringify(list));
    const [columnsOf, columns, select] = INDEX_COLUMNS[table];
    ctes.push(
      `i_${table} as (insert into sp_${table} (resource_type, id, code, ${columns})
         select x.rt, x.ri, x.c, ${select} from jsonb_to_recordset($${2 + params.length}::jsonb) as x(rt text, ri text, ${columnsOf}))`,
    );
  }
  const carried = riderCtes(riders.writes, 2 + params.length);
  ctes.push(...carried.ctes);
  params.push(...carried.values);
  // The read riders as result columns c0, c1, ... (those of one `many` form sharing one column).
  const reads = readColumns(riders.reads, 2 + params.length);
  params.push(...reads.values);
  const columns = reads.expressions;
  const select = columns.length ? columns.map((c, i) => `(${c}) as c${i}`).join(', ') : '1';
  return { sql: `with ${ctes.join(',\n')} select ${select}`, params, readAt: reads.at };
}

/** Where a read rider's value is in a write's result: column `c<column>`, or element `index` of its JSON array. */
export interface ReadAt {
  column: number;
  index?: number;
}

/** The value of a read rider in a write's result row (see ReadAt). */
export function readValue(row: Record<string, unknown> | undefined, at: ReadAt): unknown {
  const value = row?.[`c${at.column}`];
  return at.index === undefined ? value : (value as unknown[] | null | undefined)?.[at.index];
}
