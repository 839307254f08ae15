import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { HSDS_TABLES, HsdsTables, type HsdsTable } from './tables';

/**
 * Reads an HSDS CSV tabular data package: the tables `datapackage.json` lists (by `path`), or,
 * without a descriptor, every `<table>.csv` in the folder whose name is an HSDS table.
 */
export function readHsdsCsvFolder(
  folder: string,
  into = new HsdsTables(),
): { tables: HsdsTables; files: string[] } {
  const files: string[] = [];
  const descriptor = path.join(folder, 'datapackage.json');
  let entries: { table: string; file: string }[] = [];
  if (existsSync(descriptor)) {
    const pkg = JSON.parse(readFileSync(descriptor, 'utf8')) as {
      resources?: { name?: string; path?: string }[];
    };
    entries = (pkg.resources ?? [])
      .filter((r) => typeof r.path === 'string' && r.path.endsWith('.csv'))
      .map((r) => ({
        // The table is the file's name (phones.csv); the resource name is the singular object.
        table: path.basename(r.path as string, '.csv'),
        file: path.join(folder, r.path as string),
      }))
      .filter((e) => existsSync(e.file));
    files.push(descriptor);
  }
  if (!entries.length) {
    entries = readdirSync(folder)
      .filter((f) => f.endsWith('.csv'))
      .sort()
      .map((f) => ({ table: path.basename(f, '.csv'), file: path.join(folder, f) }));
  }
  for (const { table, file } of entries) {
    if (!(HSDS_TABLES as readonly string[]).includes(table)) continue;
    files.push(file);
    for (const row of readCsvRows(readFileSync(file))) into.add(table as HsdsTable, row);
  }
  return { tables: into, files };
}

/** CSV rows as objects keyed by the header; a UTF-8 byte-order mark is dropped. */
export function readCsvRows(data: Buffer | string): Record<string, string>[] {
  return parse(data, {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    trim: false,
  });
}

/** True when a folder holds an HSDS CSV package (a descriptor, or a services/organizations table). */
export function isHsdsCsvFolder(folder: string): boolean {
  return (
    existsSync(path.join(folder, 'datapackage.json')) ||
    existsSync(path.join(folder, 'services.csv')) ||
    existsSync(path.join(folder, 'organizations.csv'))
  );
}
