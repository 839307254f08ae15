import { INDEX_TABLES, type IndexRows, type IndexTable } from './index-rows';

/** A resource's new index rows and, when known, those of the version it replaces (`old`). */
export interface IndexedWrite {
  type: string;
  id: string;
  rows: IndexRows;
  old?: IndexRows;
}

/**
 * The row columns each index table is matched on when its rows are deleted one by one: [JSON key,
 * column, PostgreSQL array type]. The JSON keys are those of IndexRows.
 */
export const MATCH_COLUMNS: Record<IndexTable, [string, string, string][]> = {
  string: [
    ['v', 'value', 'text[]'],
    ['e', 'exact', 'text[]'],
  ],
  token: [
    ['s', 'system', 'text[]'],
    ['v', 'value', 'text[]'],
    ['t', 'text', 'text[]'],
  ],
  date: [
    ['lo', 'low', 'timestamptz[]'],
    ['hi', 'high', 'timestamptz[]'],
  ],
  number: [['v', 'value', 'numeric[]']],
  quantity: [
    ['v', 'value', 'numeric[]'],
    ['s', 'system', 'text[]'],
    ['u', 'unit', 'text[]'],
  ],
  reference: [
    ['tt', 'target_type', 'text[]'],
    ['ti', 'target_id', 'text[]'],
    ['r', 'ref', 'text[]'],
  ],
  uri: [['v', 'value', 'text[]']],
  composite: [
    ['k', 'key', 'text[]'],
    ['n', 'num', 'numeric[]'],
    ['lo', 'low', 'timestamptz[]'],
    ['hi', 'high', 'timestamptz[]'],
  ],
};

type Row = { c: string } & Record<string, unknown>;

/** Index rows to take out of one table: every row of an owner (`c` null), or one row's values. */
export interface RowDelete {
  rt: string;
  ri: string;
  c: string | null;
  row?: Row;
}

/** What an update changes in the index tables, per table: rows to delete and rows to insert. */
export type IndexChanges = Record<
  IndexTable,
  { deletes: RowDelete[]; inserts: (Row & { rt: string; ri: string })[] }
>;

/**
 * Per table, the rows that differ between each resource's old and new index rows. An update
 * mostly changes a few values (a birth date, a given name), and rewriting every row cost
 * PostgreSQL a heap tuple and its index entries each, twice. A row is a multiset member: when its
 * count changes, all its copies go and the new count is inserted. Without `old` (no previous
 * version, or a deleted one), every row of the resource is deleted and all new rows inserted.
 */
export function indexChanges(writes: IndexedWrite[]): IndexChanges {
  const out = {} as IndexChanges;
  for (const table of INDEX_TABLES) out[table] = { deletes: [], inserts: [] };
  for (const w of writes) {
    for (const table of INDEX_TABLES) {
      const change = out[table];
      const rows = w.rows[table] as Row[];
      if (!w.old) {
        change.deletes.push({ rt: w.type, ri: w.id, c: null });
        for (const row of rows) change.inserts.push({ ...row, rt: w.type, ri: w.id });
        continue;
      }
      const old = w.old[table] as Row[];
      if (old.length === 0 && rows.length === 0) continue;
      const counts = new Map<string, { row: Row; old: number; now: number }>();
      const count = (row: Row, side: 'old' | 'now'): void => {
        const key = JSON.stringify(row);
        let c = counts.get(key);
        if (!c) counts.set(key, (c = { row, old: 0, now: 0 }));
        c[side]++;
      };
      for (const row of old) count(row, 'old');
      for (const row of rows) count(row, 'now');
      for (const c of counts.values()) {
        if (c.old === c.now) continue;
        if (c.old > 0) change.deletes.push({ rt: w.type, ri: w.id, c: c.row.c, row: c.row });
        for (let k = 0; k < c.now; k++) change.inserts.push({ ...c.row, rt: w.type, ri: w.id });
      }
    }
  }
  return out;
}

/**
 * The delete of one table's changed rows as a CTE, its keys as arrays (`unnest` of arrays is
 * estimated at their length, or 10 rows in a generic plan, so the planner probes the owner index;
 * a JSON record set counts as 100 and once made it hash the whole table). `next` numbers the
 * parameters; returns the CTE and its values.
 */
export function deleteRowsCte(
  table: IndexTable,
  deletes: RowDelete[],
  next: number,
): { cte: string; values: unknown[] } {
  const columns = MATCH_COLUMNS[table];
  const values: unknown[] = [deletes.map((d) => d.rt), deletes.map((d) => d.ri), deletes.map((d) => d.c)];
  for (const [key] of columns) values.push(deletes.map((d) => d.row?.[key] ?? null));
  const arrays = [
    `$${next}::text[]`,
    `$${next + 1}::text[]`,
    `$${next + 2}::text[]`,
    ...columns.map(([, , type], k) => `$${next + 3 + k}::${type}`),
  ];
  const names = ['t', 'i', 'c', ...columns.map((_, k) => `m${k}`)];
  const match = columns.map(([, column], k) => `d.${column} is not distinct from x.m${k}`).join(' and ');
  return {
    cte: `d_${table} as (delete from sp_${table} d using unnest(${arrays.join(', ')}) as x(${names.join(', ')})
           where d.resource_type = x.t and d.id = x.i and (x.c is null or (d.code = x.c and ${match})))`,
    values,
  };
}
