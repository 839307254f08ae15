import { Hl7Message } from '@medplum/core';
import { HL7_ERROR_TEXT, type Hl7Issue } from '../issues';
import { DEFAULT_DELIMITERS, escapeHl7 } from './escape';
import { parseHl7, type Hl7Header, type ParsedHl7 } from './parse';

export type AckCode = 'AA' | 'AE' | 'AR';

export interface AckOptions {
  /** MSH-10 of the ACK; defaults to 'ACK' + the acknowledged control id. */
  controlId?: string;
  /** MSH-7 of the ACK. */
  now?: Date;
  /** Our MSH-3 / MSH-4 when the original left its receiver fields empty. */
  application?: string;
  facility?: string;
}

/**
 * The acknowledgement for a message (original acknowledgement mode): MSH, MSA and one ERR per issue.
 *
 * v2.5 and later: ERR-2 error location (segment ^ sequence ^ field ^ repetition ^ component),
 * ERR-3 HL7 error code (table 0357), ERR-4 severity, ERR-8 user message.
 * v2.3 / v2.4 have no ERR-2..8: the issues go into the repeating ERR-1 (segment ^ sequence ^ field ^
 * code&text&HL70357), and MSA-3 / MSA-6 carry the first error's text and code, as those versions expect.
 *
 * Accepts a parsed message, a Medplum Hl7Message or raw text (even text that does not parse, so a
 * garbled message still gets an AR that echoes whatever MSH-10 could be read).
 */
export function buildAck(
  message: ParsedHl7 | Hl7Message | string,
  code: AckCode,
  errors: readonly Hl7Issue[] = [],
  options: AckOptions = {},
): Hl7Message {
  const header = headerOf(message);
  const d = DEFAULT_DELIMITERS;
  const e = (s: string): string => escapeHl7(s, d);
  const hd = (parts: string[] | undefined): string => (parts ?? []).map(e).join(d.component);
  const version = header?.version || '2.5';
  const modern = atLeast(version, 2, 5);
  const event = header?.triggerEvent ?? '';
  // ACK^event^ACK from v2.3.1 (when MSH-9.3 appeared); plain ACK^event before.
  const type = atLeast(version, 2, 3, 1)
    ? `ACK${d.component}${e(event)}${d.component}ACK`
    : `ACK${event ? d.component + e(event) : ''}`;
  const originalId = header?.controlId ?? '';
  const controlId = options.controlId ?? `ACK${originalId}`.slice(0, 199);
  const receivingApp = header?.receivingApplication.some(Boolean)
    ? hd(header.receivingApplication)
    : e(options.application ?? 'KITH');
  const receivingFacility = header?.receivingFacility.some(Boolean)
    ? hd(header.receivingFacility)
    : e(options.facility ?? '');

  const msh = [
    'MSH',
    '^~\\&',
    receivingApp,
    receivingFacility,
    hd(header?.sendingApplication),
    hd(header?.sendingFacility),
    timestamp(options.now ?? new Date()),
    '',
    type,
    e(controlId),
    e(header?.processingId || 'P'),
    e(version),
  ].join(d.field);

  const reportable = errors.filter((i) => i.severity !== 'info');
  // MSA-3/MSA-6 describe an error condition: warnings alone (an AA with notes) leave them empty.
  const firstError = reportable.find((i) => i.severity === 'error');
  const msa = ['MSA', code, e(originalId)];
  if (!modern && firstError) {
    // MSA-3 text message (ST, 80 characters in v2.3) and MSA-6 error condition.
    msa.push(
      e(firstError.message.slice(0, 80)),
      '',
      '',
      `${firstError.code}${d.component}${e(HL7_ERROR_TEXT[firstError.code])}${d.component}HL70357`,
    );
  }
  const segments = [msh, msa.join(d.field)];

  if (modern) {
    for (const issue of reportable) {
      const location = [
        issue.segment,
        issue.sequence ?? '',
        issue.field ?? '',
        issue.repetition ?? '',
        issue.component ?? '',
      ]
        .map((p) => e(String(p)))
        .join(d.component)
        .replace(/\^+$/, '');
      const hl7Code = `${issue.code}${d.component}${e(HL7_ERROR_TEXT[issue.code])}${d.component}HL70357`;
      const severity = issue.severity === 'error' ? 'E' : 'W';
      segments.push(['ERR', '', location, hl7Code, severity, '', '', '', e(issue.message)].join(d.field));
    }
  } else if (reportable.length) {
    const s = d.subcomponent;
    const reps = reportable.map((issue) =>
      [
        e(issue.segment),
        issue.sequence ?? '',
        issue.field ?? '',
        `${issue.code}${s}${e(HL7_ERROR_TEXT[issue.code])}${s}HL70357`,
      ].join(d.component),
    );
    segments.push(['ERR', reps.join(d.repetition)].join(d.field));
  }
  return Hl7Message.parse(segments.join('\r'));
}

function headerOf(message: ParsedHl7 | Hl7Message | string): Hl7Header | null {
  if (typeof message === 'string' || message instanceof Hl7Message) return parseHl7(message).header;
  return message.header;
}

function atLeast(version: string, major: number, minor: number, patch = 0): boolean {
  const [a = 0, b = 0, c = 0] = version.split('.').map((p) => Number.parseInt(p, 10) || 0);
  return a !== major ? a > major : b !== minor ? b > minor : c >= patch;
}

function timestamp(date: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}+0000`;
}
