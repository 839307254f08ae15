import { quote, rowIssue, type Issue, type Severity } from '../issues';
import { DEFAULT_TIME_ZONE, parseCsvDate, parseCsvDateTime } from '../time';
import type { CsvRow } from './read';

export interface RowReaderOptions {
  timeZone?: string;
  /** Accept MM/DD/YYYY dates as well as YYYY-MM-DD. */
  allowUsDates?: boolean;
}

/**
 * Typed access to one CSV row that reports every bad value with file, row and column, e.g.
 * "Client.csv row 17 column DOB: '2020-13-45' is not a date". A getter returns undefined for an
 * empty or invalid value; `required` turns "empty or invalid" into an error, and a row with any
 * error is not mapped (see Severity in issues.ts).
 */
export class RowReader {
  private errors = 0;

  constructor(
    readonly file: string,
    readonly row: CsvRow,
    private readonly issues: Issue[],
    private readonly options: RowReaderOptions = {},
  ) {}

  get rowNumber(): number {
    return this.row.row;
  }

  /** True when an error has been reported for this row: it must not be mapped. */
  get failed(): boolean {
    return this.errors > 0;
  }

  report(severity: Severity, column: string | undefined, problem: string, value?: string): void {
    if (severity === 'error') this.errors++;
    this.issues.push(rowIssue(severity, this.file, this.row.row, column, problem, value));
  }

  has(column: string): boolean {
    return column in this.row.values;
  }

  /** Trimmed text, or undefined when empty or when the column is absent. */
  str(column: string): string | undefined {
    const v = this.row.values[column];
    if (v === undefined) return undefined;
    const t = v.trim();
    return t === '' ? undefined : t;
  }

  require(column: string, what = 'value'): string | undefined {
    const v = this.str(column);
    if (v === undefined) this.report('error', column, `${what} is required but empty`);
    return v;
  }

  date(column: string, required = false): string | undefined {
    const v = required ? this.require(column, 'date') : this.str(column);
    if (v === undefined) return undefined;
    const parsed = parseCsvDate(v, { allowUsFormat: this.options.allowUsDates });
    if (parsed.ok) return parsed.value;
    this.report(required ? 'error' : 'warning', column, parsed.problem, v);
    return undefined;
  }

  dateTime(column: string, required = false): string | undefined {
    const v = required ? this.require(column, 'date-time') : this.str(column);
    if (v === undefined) return undefined;
    const parsed = parseCsvDateTime(v, this.options.timeZone ?? DEFAULT_TIME_ZONE, {
      allowUsFormat: this.options.allowUsDates,
    });
    if (parsed.ok) return parsed.value;
    this.report(required ? 'error' : 'warning', column, parsed.problem, v);
    return undefined;
  }

  /** A code from a closed list; an unknown code is a warning (the value is dropped). */
  code(
    column: string,
    allowed: ReadonlySet<string> | readonly string[],
    what = 'code',
    required = false,
  ): string | undefined {
    const v = required ? this.require(column, what) : this.str(column);
    if (v === undefined) return undefined;
    const ok = Array.isArray(allowed) ? allowed.includes(v) : (allowed as ReadonlySet<string>).has(v);
    if (ok) return v;
    this.report(required ? 'error' : 'warning', column, `${quote(v)} is not a valid ${what}`, v);
    return undefined;
  }

  int(column: string): number | undefined {
    const v = this.str(column);
    if (v === undefined) return undefined;
    if (/^-?\d+$/.test(v)) return Number(v);
    this.report('warning', column, `${quote(v)} is not a whole number`, v);
    return undefined;
  }

  money(column: string): number | undefined {
    const v = this.str(column);
    if (v === undefined) return undefined;
    const cleaned = v.replace(/^\$/, '').replace(/,/g, '');
    if (/^-?\d+(\.\d{1,2})?$/.test(cleaned)) return Number(cleaned);
    this.report('warning', column, `${quote(v)} is not an amount of money`, v);
    return undefined;
  }
}
