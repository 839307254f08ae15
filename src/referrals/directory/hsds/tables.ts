/** One HSDS 3.0 table row, as in the CSV datapackage (foreign keys as `<object>_id`). */
export type HsdsRow = Record<string, unknown> & { id: string };

/** The HSDS tables Kith reads, named as the CSV datapackage names them. */
export const HSDS_TABLES = [
  'organizations',
  'programs',
  'services',
  'service_at_location',
  'locations',
  'addresses',
  'phones',
  'contacts',
  'schedules',
  'service_areas',
  'languages',
  'funding',
  'cost_options',
  'required_documents',
  'accessibility',
  'attributes',
  'taxonomies',
  'taxonomy_terms',
  'organization_identifiers',
  'metadata',
  'meta_table_descriptions',
] as const;

export type HsdsTable = (typeof HSDS_TABLES)[number];

/**
 * A set of HSDS rows by table, keyed by id. Adding a row that is already there merges it: fields
 * the new copy has fill in, so the same phone seen under a service and under its location ends up
 * with both foreign keys, as the CSV row would have them.
 */
export class HsdsTables {
  readonly tables = new Map<HsdsTable, Map<string, HsdsRow>>();

  add(table: HsdsTable, row: Record<string, unknown>): void {
    const id = row.id;
    if (typeof id !== 'string' || !id) return;
    let t = this.tables.get(table);
    if (!t) this.tables.set(table, (t = new Map()));
    const prev = t.get(id);
    if (!prev) {
      t.set(id, { ...row, id });
      return;
    }
    for (const [k, v] of Object.entries(row)) {
      if (
        v !== undefined &&
        v !== null &&
        v !== '' &&
        (prev[k] === undefined || prev[k] === null || prev[k] === '')
      )
        prev[k] = v;
    }
  }

  rows(table: HsdsTable): HsdsRow[] {
    return [...(this.tables.get(table)?.values() ?? [])];
  }

  get(table: HsdsTable, id: unknown): HsdsRow | undefined {
    return typeof id === 'string' ? this.tables.get(table)?.get(id) : undefined;
  }

  count(table: HsdsTable): number {
    return this.tables.get(table)?.size ?? 0;
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.tables) if (v.size) out[k] = v.size;
    return out;
  }
}

/** A row's field as trimmed text, or undefined when empty. */
export function text(row: Record<string, unknown> | undefined, field: string): string | undefined {
  const v = row?.[field];
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

/** A row's field as a number, or undefined when empty or not a number. */
export function number(row: Record<string, unknown> | undefined, field: string): number | undefined {
  const s = text(row, field);
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}
