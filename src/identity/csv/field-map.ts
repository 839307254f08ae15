import { FIELD_NAMES, type MatchRecord } from '../types';

/**
 * MAP.json: which CSV column(s) feed each Kith field. A list of columns is joined with single spaces
 * ("street_number" + "address_1" -> "12 Main St"), except for `identifier`, where each listed column is one
 * identifier whose system is the column name (joining two identifiers would make neither comparable).
 */
export const MAP_FIELDS = ['id', ...FIELD_NAMES] as const;
export type MapField = (typeof MAP_FIELDS)[number];
export type FieldMap = Partial<Record<MapField, string[]>>;

/** Validate a parsed MAP.json; errors name the offending key. */
export function parseFieldMap(json: unknown): FieldMap {
  const errors: string[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new Error('MAP.json: must be an object');
  const out: FieldMap = {};
  for (const [key, value] of Object.entries(json)) {
    if (!(MAP_FIELDS as readonly string[]).includes(key)) {
      errors.push(`"${key}": not a Kith field; one of ${MAP_FIELDS.join(', ')}`);
      continue;
    }
    const cols = typeof value === 'string' ? [value] : value;
    if (
      !Array.isArray(cols) ||
      cols.length === 0 ||
      !cols.every((c) => typeof c === 'string' && c.trim() !== '')
    ) {
      errors.push(`"${key}": must be a column name or a non-empty list of column names`);
      continue;
    }
    out[key as MapField] = cols.map((c: string) => c.trim());
  }
  if (Object.keys(out).filter((k) => k !== 'id').length === 0 && errors.length === 0) {
    errors.push('maps no field to compare');
  }
  if (errors.length > 0) throw new Error(`MAP.json:\n  ${errors.join('\n  ')}`);
  return out;
}

/** Columns the map needs that the header lacks. */
export function missingColumns(map: FieldMap, header: string[]): string[] {
  const have = new Set(header);
  const missing: string[] = [];
  for (const cols of Object.values(map))
    for (const c of cols ?? []) if (!have.has(c) && !missing.includes(c)) missing.push(c);
  return missing;
}

const joinCells = (row: Record<string, string>, cols: string[]): string =>
  cols
    .map((c) => (row[c] ?? '').trim())
    .filter((v) => v !== '')
    .join(' ');

/** One CSV row (column -> cell) as a MatchRecord; `fallbackId` labels rows when no id column is mapped. */
export function rowToRecord(row: Record<string, string>, map: FieldMap, fallbackId: string): MatchRecord {
  const rec: MatchRecord = { id: map.id ? joinCells(row, map.id) || fallbackId : fallbackId };
  for (const f of FIELD_NAMES) {
    const cols = map[f];
    if (!cols) continue;
    if (f === 'identifier') {
      const ids = cols.map((c) => [c, (row[c] ?? '').trim()]).filter(([, v]) => v !== '');
      if (ids.length > 0) rec.identifiers = ids.map(([c, v]) => `${c}|${v}`);
      continue;
    }
    const v = joinCells(row, cols);
    if (v !== '') rec[f] = v;
  }
  return rec;
}
