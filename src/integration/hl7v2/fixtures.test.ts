import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SYSTEMS } from '../../terminology';
import { loadDefinitions } from '../../fhir/definitions';
import { validationIssues } from '../../fhir/validate';
import type { Encounter, Observation, Patient } from '../fhir/types';
import { describeWithFixtures } from '../testing/fixtures';
import { buildAck } from './ack';
import { splitHl7Batch } from './batch';
import { processHl7, type Hl7Outcome } from './process';

const NOW = new Date('2025-01-01T00:00:00Z');
const ENCOUNTER_EVENTS = ['A01', 'A02', 'A03', 'A04', 'A05', 'A08', 'A11', 'A13'];

/**
 * Counts what a file should produce, reading the raw text with plain string splitting — on purpose
 * independent of the parser under test.
 */
function expectedCounts(text: string) {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .filter((l) => l.trim());
  const messages: string[][] = [];
  for (const line of lines) {
    if (line.startsWith('MSH')) messages.push([line]);
    else messages.at(-1)?.push(line);
  }
  let patients = 0;
  let encounters = 0;
  let reports = 0;
  let observations = 0;
  let merges = 0;
  let supported = 0;
  for (const m of messages) {
    const [type, event] = m[0].split('|')[8].split('^');
    const fields = (name: string) => m.filter((l) => l.startsWith(`${name}|`)).map((l) => l.split('|'));
    const ok =
      (type === 'ADT' && [...ENCOUNTER_EVENTS, 'A28', 'A31', 'A40'].includes(event)) ||
      (type === 'ORU' && event === 'R01');
    if (!ok) continue;
    supported++;
    if (type === 'ADT' && event === 'A40') {
      merges += fields('MRG').length;
      patients += fields('PID').length;
      continue;
    }
    patients += 1;
    if (type === 'ADT' && ENCOUNTER_EVENTS.includes(event)) {
      const pv1 = fields('PV1')[0];
      const pid = fields('PID')[0];
      if (pv1 && (pv1[19] || pid[18] || pv1[44])) encounters++;
    }
    if (type === 'ORU') {
      reports += fields('OBR').length;
      observations += fields('OBX').filter((f) => f[3]).length;
    }
  }
  return { messages: messages.length, supported, patients, encounters, reports, observations, merges };
}

function runFile(path: string) {
  const text = readFileSync(path, 'utf8');
  const batch = splitHl7Batch(readFileSync(path));
  const outcomes = batch.messages.map((m) => processHl7(m.text, { now: NOW }));
  const all = outcomes.flatMap((o) => o.result.resources);
  const count = (type: string) => all.filter((r) => r.resourceType === type).length;
  return {
    text,
    batch,
    outcomes,
    counts: {
      messages: batch.messages.length,
      supported: outcomes.filter((o) => o.ackCode !== 'AR').length,
      patients: count('Patient'),
      encounters: count('Encounter'),
      reports: count('DiagnosticReport'),
      observations: count('Observation'),
      merges: outcomes.reduce((n, o) => n + o.result.merges.length, 0),
    },
  };
}

for (const folder of ['hl7v2-ms-fhir-converter', 'hl7v2-nextgen-connect']) {
  describeWithFixtures(`HL7 v2 fixtures: ${folder}`, folder, (dir) => {
    for (const file of dir.files.filter((f) => f.endsWith('.hl7'))) {
      it(`${file}: parses, validates and maps; counts match the file`, () => {
        const { text, outcomes, counts, batch } = runFile(join(dir.path, file));
        expect(batch.issues).toEqual([]);
        expect(counts).toEqual(expectedCounts(text));
        for (const o of outcomes) {
          // Every message gets an ACK naming its control id, whatever the outcome.
          const ack = buildAck(o.parsed, o.ackCode, o.issues, { now: NOW }).toString().split('\r');
          expect(ack[1].split('|').slice(0, 3)).toEqual(['MSA', o.ackCode, o.parsed.header?.controlId]);
          if (o.ackCode === 'AR') expect(o.issues.find((i) => i.severity === 'error')?.code).toBe(200);
          else expect(o.result.resources.length).toBeGreaterThan(0);
        }
      });

      it(`${file}: every resource the mapper builds passes the FHIR validator (a mapper that built an invalid one would fail the write)`, () => {
        loadDefinitions();
        const { outcomes } = runFile(join(dir.path, file));
        for (const r of outcomes.flatMap((o) => o.result.resources)) {
          const { id: _id, ...resource } = r.resource as unknown as Record<string, unknown>;
          expect({ key: r.key, issues: validationIssues(resource) }).toEqual({ key: r.key, issues: [] });
        }
      });
    }
  });
}

describeWithFixtures('HL7 v2 fixtures: field-level checks', 'hl7v2-ms-fhir-converter', (dir) => {
  const outcome = (file: string, base = dir.path): Hl7Outcome =>
    processHl7(readFileSync(join(base, file)), { now: NOW });

  it('ADT-A01-01: patient identifiers, names, birth date, SSN handling and encounter', () => {
    const o = outcome('ADT-A01-01.hl7');
    const patient = o.result.resources[0].resource as Patient;
    expect(o.result.resources[0].identifier.value).toBe('PATID1234');
    expect(patient.birthDate).toBe('1988-08-18');
    expect(patient.gender).toBe('male');
    expect(patient.name?.[0]).toMatchObject({ family: 'EVERYMAN', given: ['ADAM', 'A'] });
    expect(patient.identifier).toContainEqual(
      expect.objectContaining({ system: SYSTEMS.usSsn, value: '123456789' }),
    );
    // PID-19 'PSSN123121234' is not an SSN: reported and left out.
    expect(o.issues.find((i) => i.location === 'PID-19')?.message).toBe(
      "PID-19: 'PSSN123121234' is not a 9-digit SSN; not mapped",
    );
    const encounter = o.result.resources[1].resource as Encounter;
    expect(encounter).toMatchObject({
      status: 'in-progress',
      class: { code: 'PRENC' },
      period: { start: '2015-02-08T11:34:19+01:10' },
    });
    expect(o.result.resources[1].identifier.value).toBe('40007716');
  });

  it('ADT-A03-01 finishes and ADT-A11-01 cancels the same visit as ADT-A01-01', () => {
    const a01 = outcome('ADT-A01-01.hl7').result.resources[1];
    const a03 = outcome('ADT-A03-01.hl7').result.resources[1];
    const a11 = outcome('ADT-A11-01.hl7').result.resources[1];
    expect(a03.conditionalUrl).toBe(a01.conditionalUrl);
    expect(a11.conditionalUrl).toBe(a01.conditionalUrl);
    expect((a03.resource as Encounter).status).toBe('finished');
    expect((a03.resource as Encounter).period?.end).toBe('2015-02-09T11:34:19+01:10');
    expect((a11.resource as Encounter).status).toBe('cancelled');
  });

  it('ADT-A40-01: merge of BCBS 56789 into 12345', () => {
    const o = outcome('ADT-A40-01.hl7');
    expect(o.result.merges).toHaveLength(1);
    expect(o.result.merges[0].survivor.value).toBe('12345');
    expect(o.result.merges[0].retired.map((r) => r.value)).toEqual(['56789']);
    expect(o.result.merges[0].retired[0].system).toBe(o.result.merges[0].survivor.system);
  });

  it('LAB-ORU-1 (BOM, v2.5): two reports, results with units and flags; empty results are registered', () => {
    const o = outcome('LAB-ORU-1.hl7');
    const obs = o.result.resources
      .filter((r) => r.resourceType === 'Observation')
      .map((r) => r.resource as Observation);
    const hct = obs.find((x) => x.code.coding?.[0].code === '20570-8')!;
    expect(hct.valueQuantity).toEqual({ value: 40.1, unit: '%' });
    expect(hct.interpretation?.[0].coding?.[0].code).toBe('N');
    const leukocytes = obs.find((x) => x.code.coding?.[0].code === '11156-7')!;
    expect(leukocytes.status).toBe('registered');
    expect(leukocytes.valueQuantity).toBeUndefined();
  });
});

describeWithFixtures('HL7 v2 fixtures: NextGen Connect', 'hl7v2-nextgen-connect', (dir) => {
  it('oru_r01_small_cr (CR separators): 17 results; the non-HL7 birth date is reported and dropped', () => {
    const o = processHl7(readFileSync(join(dir.path, 'oru_r01_small_cr.hl7')), { now: NOW });
    expect(o.ackCode).toBe('AA');
    const patient = o.result.resources.find((r) => r.resourceType === 'Patient')!.resource as Patient;
    expect(patient.birthDate).toBeUndefined();
    expect(o.issues.find((i) => i.location === 'PID-7')?.message).toBe(
      "PID-7: 'Aug 15, 1942' is not an HL7 date/time (YYYY[MM[DD[HHMM[SS]]]][+/-ZZZZ]); not mapped",
    );
    expect(patient.identifier).toContainEqual({
      system: SYSTEMS.usSsn,
      value: '815162342',
      type: { coding: [{ system: SYSTEMS.identifierType, code: 'SS' }] },
    });
    const sodium = o.result.resources
      .map((r) => r.resource)
      .find(
        (r) => r.resourceType === 'Observation' && r.code.coding?.[0].display === 'SODIUM',
      ) as Observation;
    expect(sodium.valueQuantity).toEqual({ value: 145, unit: 'mmol/L' });
    expect(sodium.effectiveDateTime).toBe('2006-09-22T15:23:00-07:00');
  });

  it('adt_a40_nonbatch_07: merge 1765475 into 1765431 in the sender namespace', () => {
    const o = processHl7(readFileSync(join(dir.path, 'adt_a40_nonbatch_07.hl7')), { now: NOW });
    expect(o.result.merges[0]).toMatchObject({
      survivor: { value: '1765431' },
      retired: [{ value: '1765475' }],
    });
    // MSH-7 has milliseconds without the '.', which HL7 does not allow: reported, not fatal.
    expect(o.issues.find((i) => i.location === 'MSH-7')?.severity).toBe('warning');
  });

  it('siu_batch01_3msgs: three messages, each refused as unsupported with its own control id', () => {
    const batch = splitHl7Batch(readFileSync(join(dir.path, 'siu_batch01_3msgs.hl7')));
    const outcomes = batch.messages.map((m) => processHl7(m.text));
    expect(outcomes.map((o) => [o.parsed.header?.controlId, o.ackCode])).toEqual([
      ['24916560', 'AR'],
      ['24916579', 'AR'],
      ['24916597', 'AR'],
    ]);
  });
});

describe('fixture helper', () => {
  it('skips quietly without fixtures, and fails when they are required', async () => {
    const { fixtureDir } = await import('../testing/fixtures');
    const saved = { ...process.env };
    try {
      process.env.KITH_FIXTURES = '/nonexistent/kith-fixtures';
      delete process.env.KITH_REQUIRE_FIXTURES;
      expect(fixtureDir('hmis-csv-greenriver')).toEqual({
        available: false,
        path: '/nonexistent/kith-fixtures/hmis-csv-greenriver',
        files: [],
      });
      process.env.KITH_REQUIRE_FIXTURES = '1';
      expect(() => fixtureDir('hmis-csv-greenriver')).toThrow('KITH_REQUIRE_FIXTURES=1');
    } finally {
      process.env = saved;
    }
  });
});
