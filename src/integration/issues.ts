/**
 * Problems found while reading or mapping a source record. Every issue says exactly where it is —
 * segment and field for HL7 v2, file, row and column for CSV — so a dead letter, an ERR segment or
 * a person fixing the file can go straight to it.
 *
 * Severity contract (relied on by the pipeline):
 * - `error`: the record (message or row) was NOT mapped; it belongs in the dead-letter store.
 * - `warning`: the record was mapped, but this value was dropped or guessed; report it.
 * - `info`: nothing was lost; a configuration hint (e.g. an unmapped identifier namespace).
 */
export type Severity = 'error' | 'warning' | 'info';

/** HL7 table 0357 (message error condition codes) — the values that go in ERR-3. */
export const HL7_ERROR = {
  segmentSequence: 100,
  requiredFieldMissing: 101,
  dataType: 102,
  tableValueNotFound: 103,
  valueTooLong: 104,
  unsupportedMessageType: 200,
  unsupportedEvent: 201,
  unsupportedProcessingId: 202,
  unsupportedVersion: 203,
  unknownKey: 204,
  duplicateKey: 205,
  recordLocked: 206,
  internalError: 207,
} as const;
export type Hl7ErrorCode = (typeof HL7_ERROR)[keyof typeof HL7_ERROR];

export const HL7_ERROR_TEXT: Record<Hl7ErrorCode, string> = {
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  104: 'Value too long',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  204: 'Unknown key identifier',
  205: 'Duplicate key identifier',
  206: 'Application record locked',
  207: 'Application internal error',
};

export interface Hl7Issue {
  kind: 'hl7';
  severity: Severity;
  code: Hl7ErrorCode;
  /** Segment id, e.g. 'PID' ('' when the message has no recognisable segment). */
  segment: string;
  /** Occurrence of that segment id in the message, 1-based (ERR-2.2). */
  sequence?: number;
  field?: number;
  repetition?: number;
  component?: number;
  /** Human location, e.g. 'PID-7' or 'PID-3[2].4'. */
  location: string;
  value?: string;
  problem: string;
  /** `location: problem`, ready for a log line, a dead letter or ERR-8. */
  message: string;
}

export interface RowIssue {
  kind: 'row';
  severity: Severity;
  file: string;
  /** Line where the record starts; the header is row 1. Absent for whole-file problems. */
  row?: number;
  column?: string;
  value?: string;
  problem: string;
  /** e.g. "Client.csv row 17 column DOB: '2020-13-45' is not a date". */
  message: string;
}

export type Issue = Hl7Issue | RowIssue;

export interface Hl7Location {
  segment: string;
  sequence?: number;
  field?: number;
  repetition?: number;
  component?: number;
}

export function hl7Location(loc: Hl7Location): string {
  if (!loc.segment) return 'message';
  if (loc.field === undefined)
    return loc.sequence && loc.sequence > 1 ? `${loc.segment}[${loc.sequence}]` : loc.segment;
  let s = `${loc.segment}-${loc.field}`;
  if (loc.repetition && loc.repetition > 1) s += `[${loc.repetition}]`;
  if (loc.component) s += `.${loc.component}`;
  return s;
}

export function hl7Issue(
  severity: Severity,
  code: Hl7ErrorCode,
  loc: Hl7Location,
  problem: string,
  value?: string,
): Hl7Issue {
  const location = hl7Location(loc);
  const issue: Hl7Issue = {
    kind: 'hl7',
    severity,
    code,
    ...loc,
    location,
    problem,
    message: `${location}: ${problem}`,
  };
  if (value !== undefined) issue.value = value;
  return issue;
}

export function rowIssue(
  severity: Severity,
  file: string,
  row: number | undefined,
  column: string | undefined,
  problem: string,
  value?: string,
): RowIssue {
  let where = file;
  if (row !== undefined) where += ` row ${row}`;
  if (column !== undefined) where += ` column ${column}`;
  const issue: RowIssue = { kind: 'row', severity, file, problem, message: `${where}: ${problem}` };
  if (row !== undefined) issue.row = row;
  if (column !== undefined) issue.column = column;
  if (value !== undefined) issue.value = value;
  return issue;
}

/** Quotes a source value for a message, trimmed so one garbled field cannot flood a log. */
export function quote(value: string): string {
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return `'${shown.replace(/[\r\n]+/g, ' ')}'`;
}

export const hasErrors = (issues: readonly Issue[]): boolean => issues.some((i) => i.severity === 'error');
