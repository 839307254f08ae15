import { describe, expect, it } from 'vitest';
import { parseHl7 } from './parse';
import { ackCodeFor, validateHl7 } from './validate';

const NOW = new Date('2025-06-01T00:00:00Z');
const msh = (type = 'ADT^A01', version = '2.5.1', control = 'C1', processing = 'P'): string =>
  `MSH|^~\\&|APP|FAC|KITH|COUNTY|20240105123000||${type}|${control}|${processing}|${version}`;
const EVN = 'EVN|A01|20240105123000';
const PID =
  'PID|1||MRN1^^^FAC^MR||DOE^JANE||19800102|F|||1 MAIN ST^^OAKLAND^CA^94612||^PRN^PH^^^510^5551234||||||123-45-6789';
const PV1 = 'PV1|1|I|4W^401^A^FAC||||||||||||||||V100|||||||||||||||||||||||||20240105120000';
const validate = (...segments: string[]) => validateHl7(parseHl7(segments.join('\r')), { now: NOW });

describe('validateHl7', () => {
  it('accepts a complete ADT^A01', () => {
    expect(validate(msh(), EVN, PID, PV1)).toEqual([]);
  });

  it('reports missing MSH-9 and MSH-10 as errors that reject the message', () => {
    const issues = validate(msh('', '2.5', ''), EVN, PID, PV1);
    expect(issues.map((i) => [i.location, i.severity, i.code])).toEqual([
      ['MSH-9', 'error', 101],
      ['MSH-10', 'error', 101],
    ]);
    expect(ackCodeFor(issues)).toBe('AR');
  });

  it('refuses unsupported message types and events with HL7 codes 200 and 201', () => {
    const type = validate(msh('SIU^S12'), PID);
    expect(type[0]).toMatchObject({
      code: 200,
      location: 'MSH-9',
      problem: "message type 'SIU' is not supported (ADT, ORU)",
    });
    const event = validate(msh('ADT^A99'), EVN, PID, PV1);
    expect(event[0]).toMatchObject({ code: 201, problem: "event 'ADT^A99' is not supported" });
    expect(ackCodeFor(event)).toBe('AR');
  });

  it('takes the event from EVN-1 when an old sender puts only ADT in MSH-9', () => {
    expect(validate(msh('ADT'), EVN, PID, PV1)).toEqual([]);
  });

  it('refuses unsupported versions and processing ids', () => {
    expect(validate(msh('ADT^A01', '2.2'), EVN, PID, PV1)[0]).toMatchObject({
      code: 203,
      location: 'MSH-12',
    });
    expect(validate(msh('ADT^A01', '2.5', 'C1', 'X'), EVN, PID, PV1)[0]).toMatchObject({
      code: 202,
      location: 'MSH-11',
    });
  });

  it('reports bad dates with segment and field, and keeps the message (the value is dropped)', () => {
    const issues = validate(
      msh(),
      'EVN|A01|2024-01-05',
      PID.replace('19800102', '19801302'),
      PV1.replace('20240105120000', '20240230120000'),
    );
    expect(issues.map((i) => i.message)).toEqual([
      "EVN-2: '2024-01-05' is not an HL7 date/time (YYYY[MM[DD[HHMM[SS]]]][+/-ZZZZ]); not mapped",
      "PID-7: '19801302' is not a valid date: month 13 does not exist; not mapped",
      "PV1-44: '20240230120000' is not a valid date: day 30 does not exist in 2024-02; not mapped",
    ]);
    expect(issues.every((i) => i.severity === 'warning' && i.code === 102)).toBe(true);
    expect(ackCodeFor(issues)).toBe('AA');
  });

  it('flags a birth date in the future', () => {
    expect(validate(msh(), EVN, PID.replace('19800102', '20300101'), PV1)[0].problem).toBe(
      'birth date 2030-01-01 is in the future',
    );
  });

  it('reports codes missing from the HL7 tables the maps cover', () => {
    const issues = validate(msh(), EVN, PID.replace('|F|', '|Q|'), PV1.replace('PV1|1|I|', 'PV1|1|Z|'));
    expect(issues.map((i) => [i.location, i.code])).toEqual([
      ['PID-8', 103],
      ['PV1-2', 103],
    ]);
  });

  it('reports a malformed SSN', () => {
    expect(validate(msh(), EVN, PID.replace('123-45-6789', '12-345'), PV1)[0].message).toBe(
      "PID-19: '12-345' is not a 9-digit SSN; not mapped",
    );
  });

  it('treats a message cut off before PV1 (truncated) as an error for a visit event, but not for A28', () => {
    const truncated = validate(msh(), EVN, PID);
    expect(truncated[0]).toMatchObject({ severity: 'error', code: 100, segment: 'PV1' });
    expect(ackCodeFor(truncated)).toBe('AE');
    expect(validate(msh('ADT^A28'), 'EVN|A28', PID)).toEqual([]);
  });

  it('requires PID, and PID-3', () => {
    expect(validate(msh(), EVN, PV1)[0]).toMatchObject({
      severity: 'error',
      segment: 'PID',
      problem: 'required PID segment is missing (message truncated?)',
    });
    expect(validate(msh(), EVN, 'PID|1||||DOE^JANE', PV1)[0]).toMatchObject({
      severity: 'error',
      location: 'PID-3',
    });
  });

  it('requires MRG with MRG-1 for A40', () => {
    expect(validate(msh('ADT^A40'), 'EVN|A40', PID)[0]).toMatchObject({ segment: 'MRG', severity: 'error' });
    expect(validate(msh('ADT^A40'), 'EVN|A40', PID, 'MRG|')[0]).toMatchObject({
      location: 'MRG-1',
      severity: 'error',
    });
  });

  it('notes an EVN-1 that contradicts MSH-9.2', () => {
    expect(validate(msh('ADT^A03'), EVN, PID, PV1)[0].message).toBe(
      "EVN-1: EVN-1 'A01' differs from MSH-9.2 'A03'; MSH-9.2 is used",
    );
  });

  it('checks ORU structure and OBX values', () => {
    const oru = msh('ORU^R01');
    expect(validate(oru, PID)[0]).toMatchObject({ severity: 'error', segment: 'OBR' });
    const issues = validate(
      oru,
      PID,
      'OBR|1||F1^LAB|GLU^Glucose^L|||20240105',
      'OBX|1|NM|GLU^Glucose^L||abc|mg/dL||||||F',
      'OBX|2|RP|IMG^Image^L||http://x||||||F',
      'OBX|3|SN|X^X^L||>^^^|',
      'OBX|4||X^X^L||free text',
    );
    expect(issues.map((i) => i.message)).toEqual([
      "OBX-5: 'abc' is not a number (value type NM)",
      "OBX-2: value type 'RP' is not mapped; the observation is kept without its value",
      "OBX-5: '>^^^' is not a structured numeric (SN)",
      'OBX-2: OBX-2 value type is missing; the value is not mapped',
    ]);
    expect(issues.map((i) => i.sequence)).toEqual([1, 2, 3, 4]);
  });
});
