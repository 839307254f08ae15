import { parse } from 'csv-parse/sync';
import { quote, rowIssue, type RowIssue } from '../issues';

export interface CsvRow {
  /** Line where the record starts (the header is row 1). */
  row: number;
  values: Record<string, string>;
}

export interface CsvTable {
  file: string;
  header: string[];
  rows: CsvRow[];
  /** Rows that could not be read are reported here and left out of `rows`. */
  issues: RowIssue[];
  /** Requested columns the header does not have. */
  missingColumns: string[];
}

export interface CsvSpec {
  /** Columns without which no row of the file can be mapped (reported as errors). */
  required?: readonly string[];
  /** Columns the mapper reads; a missing one is a warning and its values are simply absent. */
  expected?: readonly string[];
  /** Columns a layout allows but does not expect (Kith's extract layouts): absence is not reported. */
  optional?: readonly string[];
}

interface RawRecord {
  text: string;
  line: number;
  /** Physical lines the record spans (more than 1 only for quoted line breaks). */
  lines: number;
  /** Offset just after the record's first line, to resume from if the record turns out to be broken. */
  afterFirstLine: number;
  next: number;
}

/**
 * Reads a CSV file into rows keyed by header name, one bad row at a time: a quoting error, a
 * wrong number of fields or a quote that is never closed costs that row only, and is reported with
 * its row number and column. (csv-parse alone aborts, or swallows the rest of the file into one
 * field, at the first unclosed quote; here record boundaries are found first and each record is
 * parsed on its own.)
 */
export function readCsv(file: string, input: string | Uint8Array, spec: CsvSpec = {}): CsvTable {
  let text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const table: CsvTable = { file, header: [], rows: [], issues: [], missingColumns: [] };
  let header: string[] | undefined;
  for (const rec of wholeFile(text) ?? recordByRecord(text, () => header)) {
    if ('error' in rec) {
      table.issues.push(rowIssue('error', file, rec.line, columnAt(header, rec.index), rec.error));
      continue;
    }
    if (rec.fields.length === 1 && rec.fields[0].trim() === '') continue; // blank lines carry no record
    if (!header) {
      header = rec.fields.map((h) => h.trim());
      table.header = header;
      checkHeader(table, spec);
      continue;
    }
    if (rec.fields.length !== header.length) {
      table.issues.push(
        rowIssue(
          'error',
          file,
          rec.line,
          undefined,
          `has ${rec.fields.length} fields but the header has ${header.length} (an unquoted comma, or a truncated line?)`,
        ),
      );
      continue;
    }
    if (rec.strayQuote) {
      table.issues.push(
        rowIssue('warning', file, rec.line, undefined, 'a quote inside an unquoted value was read as text'),
      );
    }
    const values: Record<string, string> = {};
    header.forEach((h, i) => (values[h] = rec.fields[i]));
    table.rows.push({ row: rec.line, values });
  }
  if (!header)
    table.issues.push(rowIssue('error', file, undefined, undefined, 'file is empty (no header row)'));
  return table;
}

type RecordOut =
  { line: number; fields: string[]; strayQuote?: boolean } | { line: number; error: string; index?: number };

/**
 * Fast path: a well-formed file parsed in one go by csv-parse. Line numbers come from Kith's own
 * record scanner (csv-parse counts a quoted CRLF as two lines); if the two disagree on where
 * records are, or csv-parse finds a quoting error, the slow path takes over.
 */
function wholeFile(text: string): RecordOut[] | undefined {
  let parsed: string[][];
  try {
    parsed = parse(text, { relax_column_count: true }) as string[][];
  } catch {
    return undefined;
  }
  const lines: number[] = [];
  for (let pos = 0, line = 1; pos < text.length;) {
    const rec = nextRecord(text, pos, line);
    lines.push(line);
    pos = rec.next;
    line += rec.lines;
  }
  if (lines.length !== parsed.length) return undefined;
  return parsed.map((fields, i) => ({ line: lines[i], fields }));
}

/**
 * Slow path for files with quoting errors: record boundaries are found first and each record is
 * parsed on its own, so one bad quote costs one row. A multi-line record that does not parse (or
 * has the wrong number of fields) is treated as a stray quote on its first line.
 */
function* recordByRecord(text: string, header: () => string[] | undefined): Generator<RecordOut> {
  let pos = 0;
  let line = 1;
  while (pos < text.length) {
    const rec = nextRecord(text, pos, line);
    const parsed = parseRecord(rec.text);
    const expected = header()?.length;
    const broken = 'error' in parsed || (expected !== undefined && parsed.fields.length !== expected);
    if (broken && rec.lines > 1) {
      const first = parseRecord(text.slice(pos, rec.afterFirstLine).replace(/\r?\n$|\r$/, ''));
      const problem = 'error' in first ? first.error : 'a quote is opened and never closed on this line';
      yield { line, error: problem, index: 'error' in first ? first.index : undefined };
      pos = rec.afterFirstLine;
      line += 1;
      continue;
    }
    yield { line, ...parsed };
    pos = rec.next;
    line += rec.lines;
  }
}

function checkHeader(table: CsvTable, spec: CsvSpec): void {
  const present = new Set(table.header);
  const seen = new Set<string>();
  for (const h of table.header) {
    if (seen.has(h))
      table.issues.push(
        rowIssue('warning', table.file, 1, h, 'column appears twice in the header; the last one is used'),
      );
    seen.add(h);
  }
  for (const col of spec.required ?? []) {
    if (present.has(col)) continue;
    table.missingColumns.push(col);
    table.issues.push(
      rowIssue('error', table.file, 1, col, 'required column is missing; no row of this file can be mapped'),
    );
  }
  for (const col of spec.expected ?? []) {
    if (present.has(col) || spec.required?.includes(col)) continue;
    table.missingColumns.push(col);
    table.issues.push(
      rowIssue('warning', table.file, 1, col, 'column is missing; its values are not mapped'),
    );
  }
}

function columnAt(header: string[] | undefined, index: number | undefined): string | undefined {
  if (index === undefined) return undefined;
  return header?.[index] ?? `#${index + 1}`;
}

type Parsed = { fields: string[]; strayQuote?: boolean } | { error: string; index?: number };

function parseRecord(text: string): Parsed {
  if (text === '') return { fields: [''] };
  // Most records have no quote at all: for them a split is exactly what a CSV parser would do.
  if (!text.includes('"')) return { fields: text.split(',') };
  try {
    const records = parse(text, { relax_column_count: true }) as string[][];
    return { fields: records[0] ?? [''] };
  } catch (err) {
    const e = err as { code?: string; message?: string; index?: number; field?: string };
    if (e.code === 'INVALID_OPENING_QUOTE' && !/[\r\n]/.test(text)) {
      // A quote inside an unquoted value (5'10") is text, not structure: keep the row, say so.
      try {
        const records = parse(text, { relax_column_count: true, relax_quotes: true }) as string[][];
        return { fields: records[0] ?? [''], strayQuote: true };
      } catch {
        // fall through to the strict error
      }
    }
    return { error: quotingProblem(e), index: typeof e.index === 'number' ? e.index : undefined };
  }
}

function quotingProblem(e: { code?: string; message?: string; field?: string }): string {
  switch (e.code) {
    case 'CSV_INVALID_CLOSING_QUOTE': {
      const got = /got "(.)"/.exec(e.message ?? '')?.[1];
      return `quoting error: a closing quote is followed by ${got ? quote(got) : 'a character'} instead of a comma`;
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'quoting error: a quote is opened and never closed';
    case 'INVALID_OPENING_QUOTE':
      return `quoting error: a quote inside an unquoted value${e.field !== undefined ? ` (after ${quote(e.field)})` : ''}`;
    default:
      return `unreadable record: ${e.message ?? e.code ?? 'unknown CSV error'}`;
  }
}

/**
 * Finds the end of the record starting at `pos`: the first line break outside quotes. A quote
 * opens only at the start of a field; a doubled quote inside quotes is an escaped quote.
 */
/**
 * The header record and the record starting at `row` (as readCsv numbers rows), as their source
 * text: a one-row CSV file that maps exactly like that row did. Undefined when no record starts there.
 */
export function csvRecordWithHeader(input: string, row: number): string | undefined {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  let header: string | undefined;
  for (let pos = 0, line = 1; pos < text.length;) {
    const rec = nextRecord(text, pos, line);
    if (header === undefined && rec.text.trim() !== '') header = rec.text;
    else if (line === row) return `${header}\n${rec.text}\n`;
    if (line > row) return undefined;
    pos = rec.next;
    line += rec.lines;
  }
  return undefined;
}

function nextRecord(text: string, pos: number, line: number): RawRecord {
  let i = pos;
  let inQuotes = false;
  let fieldStart = true;
  let lines = 1;
  let afterFirstLine = -1;
  while (i < text.length) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else inQuotes = false;
      } else if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i++;
        if (afterFirstLine < 0) afterFirstLine = i + 1;
        lines++;
      }
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      const end = i;
      if (c === '\r' && text[i + 1] === '\n') i++;
      i++;
      return {
        text: text.slice(pos, end),
        line,
        lines,
        afterFirstLine: afterFirstLine < 0 ? i : afterFirstLine,
        next: i,
      };
    }
    if (c === '"' && fieldStart) inQuotes = true;
    fieldStart = c === ',';
    i++;
  }
  if (inQuotes && afterFirstLine < 0) afterFirstLine = text.length;
  return {
    text: text.slice(pos),
    line,
    lines,
    afterFirstLine: afterFirstLine < 0 ? text.length : afterFirstLine,
    next: text.length,
  };
}
