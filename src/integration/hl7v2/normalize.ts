/**
 * Wire-level clean-up before parsing. Senders differ in what surrounds the segments: a UTF-8 BOM
 * (files saved by Windows tools), MLLP framing bytes left in a file dump, LF or CRLF instead of
 * the standard CR. None of that is content, so it is removed here, once, for every reader.
 */
const BOM = '\uFEFF';
const MLLP_START = '\x0b';
const MLLP_END = '\x1c';

export function decodeHl7(input: string | Uint8Array): string {
  // HL7 v2 text is ASCII or UTF-8 in practice; MSH-18 character sets other than UTF-8 are not decoded here.
  return typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
}

/** The segments of one message or batch file, in order, with BOM, framing and blank lines removed. */
export function splitSegments(input: string | Uint8Array): string[] {
  let text = decodeHl7(input);
  if (text.startsWith(BOM)) text = text.slice(1);
  text = text.split(MLLP_START).join('').split(MLLP_END).join('');
  return text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== '');
}

/** Segments joined with the standard CR separator, as Medplum's parser and MLLP peers expect. */
export function normalizeHl7(input: string | Uint8Array): string {
  return splitSegments(input).join('\r');
}
