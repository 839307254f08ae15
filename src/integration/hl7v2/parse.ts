import { Hl7Message } from '@medplum/core';
import { HL7_ERROR, hl7Issue, quote, type Hl7Issue } from '../issues';
import { DEFAULT_DELIMITERS, type Delimiters } from './escape';
import { splitSegments } from './normalize';
import { Segment } from './segment';

/** The MSH fields the pipeline and the ACK need, read even when the rest of the message is broken. */
export interface Hl7Header {
  delimiters: Delimiters;
  /** MSH-2 exactly as sent. */
  encodingCharacters: string;
  sendingApplication: string[];
  sendingFacility: string[];
  receivingApplication: string[];
  receivingFacility: string[];
  /** MSH-7.1 as sent. */
  dateTime: string;
  /** MSH-9.1, MSH-9.2, MSH-9.3. */
  messageType: string;
  triggerEvent: string;
  structure: string;
  /** MSH-10: with the sender, the message's idempotency key. */
  controlId: string;
  processingId: string;
  /** MSH-12.1, e.g. '2.5.1'. */
  version: string;
}

export interface ParsedHl7 {
  /** The message with CR segment separators, BOM and framing removed: what should be stored raw. */
  text: string;
  /** Null when the MSH segment itself could not be read. */
  header: Hl7Header | null;
  /** Medplum's parse of the message; null when the delimiters could not be trusted. */
  message: Hl7Message | null;
  segments: Segment[];
  /** Framing and structure problems (content problems come from validateHl7). */
  issues: Hl7Issue[];
}

const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/;
/** First control character other than tab: those mark binary garbage or a corrupted transfer. */
function controlCharacter(line: string): number | undefined {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return c;
  }
  return undefined;
}

/**
 * Parses one HL7 v2 message, tolerant of CR, LF or CRLF segment endings, a leading BOM and stray
 * MLLP framing bytes. Never throws: anything wrong becomes an issue with segment and field, so a
 * NAK can name it. Parsing itself is Medplum's `Hl7Message.parse`.
 */
export function parseHl7(input: string | Uint8Array | Hl7Message): ParsedHl7 {
  const lines = splitSegments(input instanceof Hl7Message ? input.toString() : input);
  const text = lines.join('\r');
  const issues: Hl7Issue[] = [];
  const fail = (): ParsedHl7 => ({ text, header: null, message: null, segments: [], issues });

  if (lines.length === 0) {
    issues.push(hl7Issue('error', HL7_ERROR.segmentSequence, { segment: '' }, 'message is empty'));
    return fail();
  }
  const first = lines[0];
  if (!first.startsWith('MSH')) {
    const start = first.slice(0, 3);
    const problem =
      start === 'FHS' || start === 'BHS'
        ? `message starts with a ${start} batch header; read it with splitHl7Batch`
        : `message does not start with an MSH segment (starts with ${quote(first.slice(0, 20))})`;
    issues.push(hl7Issue('error', HL7_ERROR.segmentSequence, { segment: 'MSH', sequence: 1 }, problem));
    return fail();
  }
  if (first.length < 8) {
    issues.push(
      hl7Issue(
        'error',
        HL7_ERROR.segmentSequence,
        { segment: 'MSH', sequence: 1 },
        'MSH segment is truncated',
      ),
    );
    return fail();
  }

  const { header, valid } = readHeader(first, issues);
  for (let i = 0; i < lines.length; i++) checkLine(lines[i], i, issues);

  if (!valid) return { text, header, message: null, segments: [], issues };

  let message: Hl7Message;
  try {
    message = Hl7Message.parse(text);
  } catch (err) {
    const problem = `message could not be parsed: ${err instanceof Error ? err.message : String(err)}`;
    issues.push(hl7Issue('error', HL7_ERROR.internalError, { segment: '' }, problem));
    return { text, header, message: null, segments: [], issues };
  }
  const counts = new Map<string, number>();
  const segments = message.segments.map((seg, index) => {
    const sequence = (counts.get(seg.name) ?? 0) + 1;
    counts.set(seg.name, sequence);
    return Segment.fromMedplum(seg, sequence, index, header.delimiters);
  });
  return { text, header, message, segments, issues };
}

/**
 * Reads MSH by hand, because the ACK must echo MSH-10 and address the sender even when MSH-2 is
 * wrong and no general parse can be trusted.
 */
function readHeader(msh: string, issues: Hl7Issue[]): { header: Hl7Header; valid: boolean } {
  const field = msh[3];
  let valid = true;
  if (/[A-Za-z0-9\s]/.test(field)) {
    issues.push(
      hl7Issue(
        'error',
        HL7_ERROR.dataType,
        { segment: 'MSH', sequence: 1, field: 1 },
        `field separator ${quote(field)} is not a valid delimiter`,
        field,
      ),
    );
    valid = false;
  }
  const parts = msh.split(field);
  const encoding = parts[1] ?? '';
  const problem = encodingProblem(encoding, field);
  if (problem) {
    issues.push(
      hl7Issue('error', HL7_ERROR.dataType, { segment: 'MSH', sequence: 1, field: 2 }, problem, encoding),
    );
    valid = false;
  }
  const delimiters: Delimiters = problem
    ? { ...DEFAULT_DELIMITERS, field }
    : {
        field,
        component: encoding[0],
        repetition: encoding[1],
        escape: encoding[2],
        subcomponent: encoding[3],
      };
  if (!problem && encoding.slice(0, 4) !== '^~\\&') {
    issues.push(
      hl7Issue(
        'info',
        HL7_ERROR.dataType,
        { segment: 'MSH', sequence: 1, field: 2 },
        `non-standard encoding characters ${quote(encoding)} (standard is '^~\\&'); parsed as declared`,
        encoding,
      ),
    );
  }
  // parts[0] is 'MSH', parts[1] is MSH-2, so MSH-n is parts[n - 1].
  const comps = (n: number): string[] =>
    (parts[n - 1] ?? '').split(delimiters.repetition)[0].split(delimiters.component);
  const header: Hl7Header = {
    delimiters,
    encodingCharacters: encoding,
    sendingApplication: comps(3),
    sendingFacility: comps(4),
    receivingApplication: comps(5),
    receivingFacility: comps(6),
    dateTime: comps(7)[0] ?? '',
    messageType: comps(9)[0] ?? '',
    triggerEvent: comps(9)[1] ?? '',
    structure: comps(9)[2] ?? '',
    controlId: comps(10)[0] ?? '',
    processingId: comps(11)[0] ?? '',
    version: comps(12)[0] ?? '',
  };
  return { header, valid };
}

/** Why MSH-2 cannot be used, or undefined when it is a usable set of encoding characters. */
function encodingProblem(encoding: string, field: string): string | undefined {
  const expected =
    "expected 4 distinct non-alphanumeric characters (component, repetition, escape, subcomponent), normally '^~\\&'";
  // v2.7+ may add a fifth, the truncation character '#'.
  const chars = encoding.length === 5 && encoding[4] === '#' ? encoding.slice(0, 4) : encoding;
  if (chars.length !== 4) return `encoding characters ${quote(encoding)} are invalid: ${expected}`;
  if (new Set(chars).size !== 4 || chars.includes(field) || /[A-Za-z0-9\s]/.test(chars)) {
    return `encoding characters ${quote(encoding)} are invalid: ${expected}`;
  }
  return undefined;
}

function checkLine(line: string, index: number, issues: Hl7Issue[]): void {
  const name = line.slice(0, 3);
  const position = `segment ${index + 1}`;
  if (!SEGMENT_NAME.test(name) || (line.length > 3 && /[A-Za-z0-9]/.test(line[3]))) {
    issues.push(
      hl7Issue(
        'error',
        HL7_ERROR.segmentSequence,
        { segment: SEGMENT_NAME.test(name) ? name : '' },
        `${position} ${quote(line.slice(0, 20))} is not a valid segment (garbled or truncated line)`,
      ),
    );
    return;
  }
  const control = controlCharacter(line);
  if (control !== undefined) {
    const code = control.toString(16).padStart(2, '0');
    issues.push(
      hl7Issue(
        'error',
        HL7_ERROR.dataType,
        { segment: name },
        `${position} contains control character 0x${code} (binary or corrupted data)`,
      ),
    );
  }
  if (line.includes('\uFFFD')) {
    issues.push(
      hl7Issue(
        'warning',
        HL7_ERROR.dataType,
        { segment: name },
        `${position} contains bytes that are not valid UTF-8`,
      ),
    );
  }
}
