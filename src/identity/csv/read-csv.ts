import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import type { MatchRecord } from '../types';
import { missingColumns, rowToRecord, type FieldMap } from './field-map';

/**
 * Streams a CSV file as MatchRecords through a field map. Cells are trimmed (sources pad them), a BOM is
 * dropped, and a header that lacks a mapped column fails before any row is read.
 */
export async function* readMappedCsv(path: string, map: FieldMap): AsyncGenerator<MatchRecord> {
  const parser = createReadStream(path).pipe(
    parse({ columns: true, trim: true, bom: true, skip_empty_lines: true, relax_column_count: true }),
  );
  let row = 0;
  for await (const rec of parser as AsyncIterable<Record<string, string>>) {
    row++;
    if (row === 1) {
      const missing = missingColumns(map, Object.keys(rec));
      if (missing.length > 0)
        throw new Error(`${path}: no column ${missing.map((c) => `"${c}"`).join(', ')} in the header`);
    }
    yield rowToRecord(rec, map, `row-${row}`);
  }
}
