import { describe, expect, it } from 'vitest';
import { hl7Issue } from '../issues';
import { buildAck } from './ack';
import { parseHl7 } from './parse';
import { validateHl7 } from './validate';

const NOW = new Date('2025-01-02T03:04:05Z');
const message = (version: string): string =>
  [
    `MSH|^~\\&|SENDAPP|SENDFAC^1.2.3^ISO|RECVAPP|RECVFAC|20240105||ADT^A01^ADT_A01|MSG-42|P|${version}`,
    'EVN|A01',
    'PID|1||M1^^^F^MR||DOE^J||19801302',
    'PV1|1|I',
  ].join('\r');

describe('buildAck', () => {
  it('v2.5+: MSH addressed back to the sender, MSA with the control id, one ERR per issue (ERR-2, ERR-3, ERR-4, ERR-8)', () => {
    const parsed = parseHl7(message('2.5.1'));
    const issues = validateHl7(parsed);
    const ack = buildAck(parsed, 'AA', issues, { now: NOW }).toString().split('\r');
    expect(ack[0]).toBe(
      'MSH|^~\\&|RECVAPP|RECVFAC|SENDAPP|SENDFAC^1.2.3^ISO|20250102030405+0000||ACK^A01^ACK|ACKMSG-42|P|2.5.1',
    );
    expect(ack[1]).toBe('MSA|AA|MSG-42');
    expect(ack[2]).toBe(
      "ERR||PID^1^7|102^Data type error^HL70357|W||||PID-7: '19801302' is not a valid date: month 13 does not exist; not mapped",
    );
    expect(ack).toHaveLength(3);
  });

  it('v2.3: errors go into the repeating ERR-1, MSA-3 carries the text and MSA-6 the condition', () => {
    const parsed = parseHl7(message('2.3'));
    const issues = [
      hl7Issue(
        'error',
        101,
        { segment: 'PID', sequence: 1, field: 3 },
        'PID-3 patient identifier list is empty',
      ),
      hl7Issue('warning', 102, { segment: 'PID', sequence: 1, field: 7 }, 'bad date'),
    ];
    const ack = buildAck(parsed, 'AE', issues, { now: NOW }).toString().split('\r');
    expect(ack[0]).toContain('|ACK^A01|ACKMSG-42|P|2.3');
    expect(ack[1]).toBe(
      'MSA|AE|MSG-42|PID-3: PID-3 patient identifier list is empty|||101^Required field missing^HL70357',
    );
    expect(ack[2]).toBe('ERR|PID^1^3^101&Required field missing&HL70357~PID^1^7^102&Data type error&HL70357');
  });

  it('leaves info issues out and escapes delimiters inside the messages', () => {
    const parsed = parseHl7(message('2.5'));
    const issues = [
      hl7Issue('info', 204, { segment: 'PID', field: 3 }, 'just a hint'),
      hl7Issue('warning', 102, { segment: 'PID', sequence: 1, field: 5 }, "value 'A|B^C' is odd"),
    ];
    const ack = buildAck(parsed, 'AA', issues, { now: NOW });
    expect(ack.segments.map((s) => s.name)).toEqual(['MSH', 'MSA', 'ERR']);
    expect(ack.toString()).toContain("PID-5: value 'A\\F\\B\\S\\C' is odd");
    // The escaped text survives a parse back.
    const reparsed = parseHl7(ack.toString());
    expect(reparsed.segments[2].get(8)).toBe("PID-5: value 'A|B^C' is odd");
  });

  it('answers a message with broken encoding characters with AR, echoing the control id it could still read', () => {
    const text = message('2.5').replace('^~\\&', '^~&');
    const parsed = parseHl7(text);
    const ack = buildAck(text, 'AR', parsed.issues, { now: NOW }).toString().split('\r');
    expect(ack[1]).toBe('MSA|AR|MSG-42');
    expect(ack[2]).toContain('ERR||MSH^1^2|102^Data type error^HL70357|E|');
  });

  it('answers garbage with an AR that still is a valid ACK', () => {
    const ack = buildAck('not hl7', 'AR', parseHl7('not hl7').issues, {
      now: NOW,
      application: 'KITH',
      facility: 'COUNTY',
    });
    const lines = ack.toString().split('\r');
    expect(lines[0]).toBe('MSH|^~\\&|KITH|COUNTY|||20250102030405+0000||ACK^^ACK|ACK|P|2.5');
    expect(lines[1]).toBe('MSA|AR|');
    expect(lines[2]).toMatch(/^ERR\|\|MSH\^1\|100\^Segment sequence error\^HL70357\|E\|/);
  });
});
