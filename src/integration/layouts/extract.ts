import { defaultRegistry, type ConceptMapRegistry } from '../../terminology';
import { readCsv, type CsvSpec } from '../csv/read';
import { RowReader } from '../csv/row';
import { ResultBuilder } from '../result';
import { DEFAULT_TIME_ZONE } from '../time';

export interface ExtractOptions {
  /** Identifier namespace of the sending system (defaults per layout, e.g. 'calsaws'). */
  source?: string;
  /** File name used in messages ("eligibility.csv row 4 column DOB: ..."). */
  file?: string;
  /** IANA zone of date-times without an offset. */
  timeZone?: string;
  registry?: ConceptMapRegistry;
  /** 'Today', for future-date checks; tests pin it. */
  now?: Date;
}

export interface ExtractRun {
  builder: ResultBuilder;
  rows: RowReader[];
  source: string;
  registry: ConceptMapRegistry;
  today: string;
}

/** Reads an extract file; no rows when a required column is missing (reported as a file error). */
export function startExtract(
  input: string | Uint8Array,
  spec: CsvSpec,
  defaults: { file: string; source: string },
  options: ExtractOptions,
): ExtractRun {
  const file = options.file ?? defaults.file;
  const builder = new ResultBuilder();
  const table = readCsv(file, input, spec);
  builder.issue(...table.issues);
  const unusable = (spec.required ?? []).some((c) => table.missingColumns.includes(c));
  const readerOptions = { timeZone: options.timeZone ?? DEFAULT_TIME_ZONE, allowUsDates: true };
  const rows = unusable
    ? []
    : table.rows.map((row) => new RowReader(file, row, builder.issues, readerOptions));
  return {
    builder,
    rows,
    source: options.source ?? defaults.source,
    registry: options.registry ?? defaultRegistry,
    today: (options.now ?? new Date()).toISOString().slice(0, 10),
  };
}
