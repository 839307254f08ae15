import { describe, expect, it } from 'vitest';
import { SYSTEMS } from '../../terminology';
import type { DiagnosticReport, Observation } from '../fhir/types';
import { processHl7 } from './process';

const ORU = [
  'MSH|^~\\&|LIS|CITYLAB|KITH|COUNTY|20240301101500||ORU^R01^ORU_R01|L-77|P|2.5.1',
  'PID|1||P9^^^CITYLAB^MR||LEE^ANN||19700505|F',
  'OBR|1|PL1^EHR|FL1^CITYLAB|24323-8^Comprehensive metabolic panel^LN|||20240301080000|||||||||||||||20240301100000|||F',
  'OBX|1|NM|2345-7^Glucose^LN||182|mg/dL^mg/dL^UCUM|70-99|H^High^HL70078|||F|||20240301081500',
  'NTE|1||Patient was not fasting',
  'OBX|2|NM|2951-2^Sodium^LN||139|mmol/L^^UCUM|136-145|N|||C',
  'OBX|3|ST|8251-1^Service comment^LN||Hemolyzed~Recollect advised||||||P',
  'OBX|4|CWE|600-7^Bacteria identified^LN||3092008^Staphylococcus aureus^SCT||||||F',
  'OBX|5|SN|5778-6^Color^LN||<^5|mg/dL^^UCUM|<5||||F',
  'OBX|6|TX|11526-1^Pathology study^LN||Line one~Line two||||||F',
  'OBX|7|ED|PDF^Report^L||^application^pdf^Base64^AAAA||||||F',
  'OBR|2||FL2^CITYLAB|58410-2^CBC panel^LN|||20240301080000||||||||||||||||||P',
  'OBX|1|NM|6690-2^WBC^LN||12.5|10*3/uL^^UCUM|4.5-11.0|HH|||P',
].join('\r');

describe('ORU^R01 → DiagnosticReport + Observations', () => {
  const outcome = processHl7(ORU, { now: new Date('2025-01-01T00:00:00Z'), timeZone: 'America/Los_Angeles' });
  const reports = outcome.result.resources.filter((r) => r.resourceType === 'DiagnosticReport');
  const observations = outcome.result.resources
    .filter((r) => r.resourceType === 'Observation')
    .map((r) => r.resource as Observation);
  const byCode = (code: string): Observation => observations.find((o) => o.code.coding?.[0].code === code)!;

  it('maps one report per OBR and one observation per OBX, acknowledged AA', () => {
    expect(outcome.ackCode).toBe('AA');
    expect(reports).toHaveLength(2);
    expect(observations).toHaveLength(8);
  });

  it('keys reports on the filler order number and lists their results', () => {
    const report = reports[0].resource as DiagnosticReport;
    expect(reports[0].identifier).toMatchObject({ value: 'FL1', type: { coding: [{ code: 'FILL' }] } });
    expect(report.status).toBe('final');
    expect(report.code.coding?.[0]).toEqual({
      system: SYSTEMS.loinc,
      code: '24323-8',
      display: 'Comprehensive metabolic panel',
    });
    expect(report.effectiveDateTime).toBe('2024-03-01T08:00:00-08:00');
    expect(report.issued).toBe('2024-03-01T10:00:00-08:00');
    expect(report.result).toHaveLength(7);
    expect((reports[1].resource as DiagnosticReport).status).toBe('preliminary');
    const glucose = outcome.result.resources.find((r) => r.identifier.value === 'FL1/2345-7/1')!;
    expect(report.result?.[0].reference).toBe(glucose.fullUrl);
  });

  it('NM: quantity with UCUM units, reference range, abnormal flag, note', () => {
    const glucose = byCode('2345-7');
    expect(glucose.valueQuantity).toEqual({ value: 182, unit: 'mg/dL', system: SYSTEMS.ucum, code: 'mg/dL' });
    expect(glucose.referenceRange).toEqual([
      {
        low: { value: 70, unit: 'mg/dL', system: SYSTEMS.ucum, code: 'mg/dL' },
        high: { value: 99, unit: 'mg/dL', system: SYSTEMS.ucum, code: 'mg/dL' },
        text: '70-99',
      },
    ]);
    expect(glucose.interpretation).toEqual([
      { coding: [{ system: SYSTEMS.v3ObservationInterpretation, code: 'H', display: 'High' }] },
    ]);
    expect(glucose.note).toEqual([{ text: 'Patient was not fasting' }]);
    expect(glucose.effectiveDateTime).toBe('2024-03-01T08:15:00-08:00');
    expect(glucose.status).toBe('final');
    expect(byCode('2951-2').status).toBe('corrected');
    expect(byCode('2951-2').effectiveDateTime).toBe('2024-03-01T08:00:00-08:00'); // from OBR-7
  });

  it('ST and TX: text, repetitions as lines; CWE: coded value', () => {
    expect(byCode('8251-1')).toMatchObject({
      valueString: 'Hemolyzed\nRecollect advised',
      status: 'preliminary',
    });
    expect(byCode('11526-1').valueString).toBe('Line one\nLine two');
    expect(byCode('600-7').valueCodeableConcept).toEqual({
      coding: [{ system: SYSTEMS.snomed, code: '3092008', display: 'Staphylococcus aureus' }],
      text: 'Staphylococcus aureus',
    });
  });

  it('SN: comparator quantity, and a "<5" reference range', () => {
    const sn = byCode('5778-6');
    expect(sn.valueQuantity).toMatchObject({ value: 5, comparator: '<' });
    expect(sn.referenceRange?.[0]).toMatchObject({ high: { value: 5 }, text: '<5' });
  });

  it('an unsupported value type keeps the observation with dataAbsentReason and a warning', () => {
    const ed = observations.find((o) => o.code.coding?.[0].code === 'PDF')!;
    expect(ed.dataAbsentReason?.coding?.[0].code).toBe('unsupported');
    expect(outcome.issues.find((i) => i.location === 'OBX-2')?.problem).toContain(
      "value type 'ED' is not mapped",
    );
  });

  it('a corrected result re-sent later replaces the same Observation', () => {
    const corrected = processHl7(
      ORU.replace('OBX|1|NM|2345-7^Glucose^LN||182', 'OBX|1|NM|2345-7^Glucose^LN||118').replace(
        'L-77',
        'L-78',
      ),
    );
    const url = (o: typeof outcome) =>
      o.result.resources.find((r) => r.identifier.value === 'FL1/2345-7/1')?.conditionalUrl;
    expect(url(corrected)).toBe(url(outcome));
  });
});
