import { describe, expect, it } from 'vitest';
import { normalizeHl7 } from './normalize';
import { parseHl7 } from './parse';
import { unescapeHl7, escapeHl7 } from './escape';

const MSH = 'MSH|^~\\&|LAB|GOOD HEALTH|KITH|COUNTY|20240105123000-0800||ADT^A01^ADT_A01|CTRL-1|P|2.5.1';
const PID = 'PID|1||MRN123^^^GHH^MR||DOE^JANE^Q||19800102|F';

describe('parseHl7: framing', () => {
  it('accepts CR, LF and CRLF segment endings, a BOM and MLLP framing bytes, and yields the same segments', () => {
    const variants = [
      [MSH, PID].join('\r'),
      [MSH, PID].join('\n') + '\n',
      [MSH, PID].join('\r\n') + '\r\n',
      '\uFEFF' + [MSH, PID].join('\n'),
      '\x0b' + [MSH, PID].join('\r') + '\x1c\r',
    ];
    for (const text of variants) {
      const parsed = parseHl7(text);
      expect(parsed.issues).toEqual([]);
      expect(parsed.segments.map((s) => s.name)).toEqual(['MSH', 'PID']);
      expect(parsed.text).toBe([MSH, PID].join('\r'));
      expect(parsed.segments[1].get(5, 2)).toBe('JANE');
    }
    expect(normalizeHl7(Buffer.from('\uFEFF' + MSH + '\n\n' + PID + '\n'))).toBe(`${MSH}\r${PID}`);
  });

  it('reads the header fields the ACK needs', () => {
    const { header } = parseHl7([MSH, PID].join('\r'));
    expect(header).toMatchObject({
      sendingApplication: ['LAB'],
      sendingFacility: ['GOOD HEALTH'],
      messageType: 'ADT',
      triggerEvent: 'A01',
      structure: 'ADT_A01',
      controlId: 'CTRL-1',
      processingId: 'P',
      version: '2.5.1',
    });
  });

  it('numbers fields like HL7 (MSH-1 is the separator) and decodes escapes', () => {
    const parsed = parseHl7(
      [MSH, 'PID|1||X^^^A&1.2.3&ISO^MR~Y^^^B^PI||O\\T\\BRIEN^ANN\\S\\MARIE'].join('\r'),
    );
    const [msh, pid] = parsed.segments;
    expect(msh.get(1)).toBe('|');
    expect(msh.get(10)).toBe('CTRL-1');
    expect(pid.repetitions(3)).toBe(2);
    expect(pid.get(3, 4, 1, 2)).toBe('1.2.3');
    expect(pid.get(3, 1, 2)).toBe('Y');
    expect(pid.get(5, 1)).toBe('O&BRIEN');
    expect(pid.get(5, 2)).toBe('ANN^MARIE');
    expect(pid.get(40)).toBe('');
  });
});

describe('parseHl7: broken input gets a precise issue instead of an exception', () => {
  it('empty input', () => {
    expect(parseHl7('').issues[0]).toMatchObject({
      severity: 'error',
      code: 100,
      problem: 'message is empty',
    });
  });

  it('text that is not HL7 at all', () => {
    const parsed = parseHl7('hello world, this is not a message');
    expect(parsed.header).toBeNull();
    expect(parsed.issues[0]).toMatchObject({ severity: 'error', code: 100, segment: 'MSH' });
    expect(parsed.issues[0].problem).toContain(
      "does not start with an MSH segment (starts with 'hello world, this is')",
    );
  });

  it('a batch handed to the single-message parser', () => {
    expect(parseHl7('FHS|^~\\&\rMSH|^~\\&|A').issues[0].problem).toContain('splitHl7Batch');
  });

  it('a truncated MSH', () => {
    expect(parseHl7('MSH|^~').issues[0]).toMatchObject({
      severity: 'error',
      problem: 'MSH segment is truncated',
    });
  });

  it('wrong encoding characters in MSH-2, while still reading MSH-10 for the NAK', () => {
    const parsed = parseHl7(MSH.replace('^~\\&', '^~&') + '\r' + PID);
    expect(parsed.message).toBeNull();
    expect(parsed.header?.controlId).toBe('CTRL-1');
    expect(parsed.issues).toHaveLength(1);
    expect(parsed.issues[0]).toMatchObject({
      severity: 'error',
      code: 102,
      segment: 'MSH',
      field: 2,
      location: 'MSH-2',
      value: '^~&',
    });
    expect(parsed.issues[0].message).toBe(
      "MSH-2: encoding characters '^~&' are invalid: expected 4 distinct non-alphanumeric characters (component, repetition, escape, subcomponent), normally '^~\\&'",
    );
  });

  it('duplicate or alphanumeric encoding characters', () => {
    expect(parseHl7('MSH|^^\\&|A|B').issues[0]).toMatchObject({ field: 2, severity: 'error' });
    expect(parseHl7('MSH|ab\\&|A|B').issues[0]).toMatchObject({ field: 2, severity: 'error' });
  });

  it('an alphanumeric field separator', () => {
    expect(parseHl7('MSHX^~\\&XAXB').issues[0]).toMatchObject({
      field: 1,
      severity: 'error',
      location: 'MSH-1',
    });
  });

  it('non-standard but valid encoding characters are parsed as declared, with an info note', () => {
    const parsed = parseHl7('MSH|*~\\&|A|B|C|D|2024||ADT*A01|X|P|2.5\rPID|1||M1***H*MR||DOE*JO');
    expect(parsed.issues.map((i) => i.severity)).toEqual(['info']);
    expect(parsed.segments[1].get(5, 2)).toBe('JO');
    expect(parsed.header?.triggerEvent).toBe('A01');
  });

  it('a garbled line in the middle of a message names the segment position', () => {
    const parsed = parseHl7([MSH, PID, 'P#1|x|y', 'PV1|1|I'].join('\r'));
    const issue = parsed.issues.find((i) => i.problem.includes('segment 3'));
    expect(issue).toMatchObject({ severity: 'error', code: 100 });
    expect(issue?.problem).toBe("segment 3 'P#1|x|y' is not a valid segment (garbled or truncated line)");
  });

  it('binary garbage inside a segment', () => {
    const parsed = parseHl7([MSH, 'PID|1||12\u0001\u0002'].join('\r'));
    expect(parsed.issues[0]).toMatchObject({
      severity: 'error',
      segment: 'PID',
      problem: 'segment 2 contains control character 0x01 (binary or corrupted data)',
    });
  });

  it('invalid UTF-8 bytes are flagged as a warning', () => {
    const bytes = Buffer.concat([
      Buffer.from(`${MSH}\rPID|1||1||D`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('E'),
    ]);
    expect(parseHl7(bytes).issues[0]).toMatchObject({ severity: 'warning', segment: 'PID' });
  });
});

describe('escape sequences', () => {
  it('round-trips delimiters and line breaks', () => {
    const value = 'a|b^c&d~e\\f\ng';
    expect(unescapeHl7(escapeHl7(value))).toBe(value);
    expect(unescapeHl7('caf\\XC3A9\\ \\H\\bold\\N\\')).toBe('café bold');
  });
});
