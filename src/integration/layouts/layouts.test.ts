import { describe, expect, it } from 'vitest';
import { SYSTEMS, kithExtension, kithIdentifierSystem } from '../../terminology';
import type { Coverage, Encounter, EpisodeOfCare, Patient } from '../fhir/types';
import type { MappingResult } from '../result';
import { MEDI_CAL_CIN, mapEligibilityExtract } from './eligibility';
import { CA_CII, mapJailExtract } from './jail';
import { mapWicExtract } from './wic';

const NOW = new Date('2025-01-01T00:00:00Z');
const csv = (...lines: string[]): string => lines.join('\r\n') + '\r\n';
const all = <T>(r: MappingResult, type: string): T[] =>
  r.resources.filter((m) => m.resourceType === type).map((m) => m.resource as T);
const messages = (r: MappingResult): string[] => r.issues.map((i) => `${i.severity}: ${i.message}`);

describe('eligibility extract (CalSAWS-style)', () => {
  const HEADER =
    'CaseNumber,PersonID,CIN,LastName,FirstName,MiddleName,DOB,Sex,SSN,Address,City,State,Zip,Phone,Program,AidCode,Status,BeginDate,EndDate,County';
  const file = csv(
    HEADER,
    'C100,P1,91234567A,Rivera,Ana,,1988-04-02,F,123-45-6789,1 Main St,Oakland,CA,94612,510-555-0100,MC,1H,A,2024-01-01,,01',
    'C100,P1,,Rivera,Ana,,1988-04-02,F,,,,,,,CF,,T,2023-06-01,2024-05-31,01',
    'C100,P2,,Rivera,Luis,,04/15/2015,M,,,,,,,CW,,P,2024-02-01,,01',
    'C101,P3,123,Nguyen,Bao,,2020-13-45,X,,,,,9461,,MC,,D,2024-03-01,,01',
    'C102,P4,,Smith,Jo,,1990-01-01,F,,,,,,,XX,,A,2024-01-01,,01',
    'C103,P5,,Park,Min,,1991-01-01,F,,,,,,,CC,,A,2024-05-01,2024-04-01,01',
    'C104,P6,,"Oh"no,Al,,1991-01-01,F,,,,,,,CC,,A,2024-05-01,,01',
    'C105,P7,,Diaz,Eva,,1992-02-02,F,,,,,,,FC,,A,2024-01-01,not-a-date,01',
  );
  const result = mapEligibilityExtract(file, { now: NOW });

  it('reports each bad row with row and column, and maps the rest', () => {
    expect(messages(result)).toEqual([
      // reading problems come first, then mapping problems, each in row order
      "error: eligibility.csv row 8 column LastName: quoting error: a closing quote is followed by 'n' instead of a comma",
      "warning: eligibility.csv row 5 column CIN: '123' is not a Medi-Cal CIN (8 digits and a letter); not mapped",
      "warning: eligibility.csv row 5 column DOB: '2020-13-45' is not a date: month 13 does not exist",
      "warning: eligibility.csv row 5 column Zip: '9461' is not a ZIP code; not mapped",
      "error: eligibility.csv row 6 column Program: 'XX' is not a valid Program code (MC, CF, CW, FC or CC)",
      "error: eligibility.csv row 7 column EndDate: '2024-04-01' is before BeginDate 2024-05-01",
      "error: eligibility.csv row 9 column EndDate: 'not-a-date' is not a date (expected YYYY-MM-DD or MM/DD/YYYY)",
    ]);
    expect(all<Patient>(result, 'Patient').map((p) => p.identifier?.[0].value)).toEqual(['P1', 'P2', 'P3']);
  });

  it('one Patient per person with identifiers from every row (CIN statewide, SSN)', () => {
    const ana = all<Patient>(result, 'Patient')[0];
    // Row 3 (the person's CalFresh row) has no CIN or SSN: those from row 2 are kept.
    expect(ana.identifier).toHaveLength(3);
    expect(ana.identifier).toEqual(
      expect.arrayContaining([
        { system: kithIdentifierSystem('calsaws', 'person-id'), value: 'P1' },
        { system: SYSTEMS.usSsn, value: '123456789' },
        { system: MEDI_CAL_CIN, value: '91234567A' },
      ]),
    );
    expect(all<Patient>(result, 'Patient')[1]).toMatchObject({ birthDate: '2015-04-15', gender: 'male' });
  });

  it('an EpisodeOfCare per person, program and period, status through the ConceptMap', () => {
    const episodes = all<EpisodeOfCare>(result, 'EpisodeOfCare');
    expect(episodes.map((e) => [e.identifier?.[0].value, e.status])).toEqual([
      ['C100|P1|MC|2024-01-01', 'active'],
      ['C100|P1|CF|2023-06-01', 'finished'],
      ['C100|P2|CW|2024-02-01', 'planned'],
      ['C101|P3|MC|2024-03-01', 'cancelled'],
    ]);
    expect(episodes[1].type?.[0].coding).toEqual([
      { system: SYSTEMS.extractProgramCode, code: 'CF', display: 'CalFresh' },
      { system: SYSTEMS.socialProgram, code: 'calfresh', display: 'CalFresh (SNAP)' },
    ]);
    expect(episodes[1].period).toEqual({ start: '2023-06-01', end: '2024-05-31' });
    expect(episodes[0].identifier?.[1]).toEqual({
      system: kithIdentifierSystem('calsaws', 'case-number'),
      value: 'C100',
    });
  });

  it('a Coverage for Medi-Cal only', () => {
    const coverages = all<Coverage>(result, 'Coverage');
    expect(coverages).toHaveLength(2);
    expect(coverages[0]).toMatchObject({
      status: 'active',
      type: { coding: [{ system: SYSTEMS.sopt, code: '2', display: 'MEDICAID' }] },
      subscriberId: '91234567A',
      class: [{ value: '1H', name: 'Medi-Cal aid code' }],
      period: { start: '2024-01-01' },
    });
    expect(coverages[1].status).toBe('cancelled');
  });

  it('is idempotent: the same file gives the same keys and resources', () => {
    expect(mapEligibilityExtract(file, { now: NOW }).resources).toEqual(result.resources);
  });

  it('a file without a required column maps nothing and says which column', () => {
    const r = mapEligibilityExtract(csv('CaseNumber,PersonID,Status,BeginDate', 'C1,P1,A,2024-01-01'), {
      file: 'elig-2024-06.csv',
    });
    expect(r.resources).toEqual([]);
    expect(messages(r)).toEqual([
      'error: elig-2024-06.csv row 1 column Program: required column is missing; no row of this file can be mapped',
    ]);
  });
});

describe('WIC certification extract', () => {
  const file = csv(
    'WICID,FamilyID,LastName,FirstName,DOB,Sex,Category,Status,CertStartDate,CertEndDate,Agency',
    'W1,F9,Rivera,Ana,1988-04-02,F,B,A,2024-06-01,2024-12-01,LA01',
    'W2,F9,Rivera,Sol,2024-05-20,F,I,A,2024-06-01,,LA01',
    'W3,F10,Lee,Kim,1999-01-01,F,Z,A,2024-06-01,,LA01',
    'W4,F11,Lee,Mo,2030-01-01,M,C,A,2024-06-01,,LA01',
  );
  const result = mapWicExtract(file, { now: NOW });

  it('maps participants and certification periods; reports the bad category and the future DOB', () => {
    expect(messages(result)).toEqual([
      "error: wic.csv row 4 column Category: 'Z' is not a valid Category code (P, B, N, I or C)",
      "warning: wic.csv row 5 column DOB: '2030-01-01' is in the future; not mapped",
    ]);
    const episodes = all<EpisodeOfCare>(result, 'EpisodeOfCare');
    expect(episodes.map((e) => e.identifier?.[0].value)).toEqual([
      'W1|2024-06-01',
      'W2|2024-06-01',
      'W4|2024-06-01',
    ]);
    expect(episodes[0].type?.[1].coding?.map((c) => c.code)).toEqual(['B', 'breastfeeding']);
    expect(episodes[0].type?.[0].coding?.[0].code).toBe('wic');
    expect(episodes[0].extension?.[0]).toEqual({
      url: kithExtension('household'),
      extension: [
        {
          url: 'householdId',
          valueIdentifier: { system: kithIdentifierSystem('ca-wic', 'family-id'), value: 'F9' },
        },
      ],
    });
    expect(all(result, 'Coverage')).toEqual([]);
  });
});

describe('jail booking/release extract', () => {
  const HEADER =
    'BookingNumber,PersonID,CII,LastName,FirstName,DOB,Sex,BookingDateTime,ReleaseDateTime,ReleaseReason,Facility';
  const booked = csv(HEADER, 'B1,J7,A12345678,Cole,Ray,1980-03-03,M,2024-07-01 22:15,,,Main Jail');
  const released = csv(
    HEADER,
    'B1,J7,A12345678,Cole,Ray,1980-03-03,M,2024-07-01 22:15,2024-07-04 09:00:30,OR,Main Jail',
  );

  it('a booking is an arrived Encounter; the release finishes the same Encounter', () => {
    const a = mapJailExtract(booked, { now: NOW });
    const b = mapJailExtract(released, { now: NOW });
    const ea = all<Encounter>(a, 'Encounter')[0];
    const eb = all<Encounter>(b, 'Encounter')[0];
    expect(ea).toMatchObject({
      status: 'arrived',
      period: { start: '2024-07-01T22:15:00-07:00' },
      location: [{ location: { display: 'Main Jail' }, status: 'active' }],
    });
    expect(eb).toMatchObject({
      status: 'finished',
      period: { start: '2024-07-01T22:15:00-07:00', end: '2024-07-04T09:00:30-07:00' },
    });
    expect(eb.extension?.[0].valueCodeableConcept?.coding?.[0]).toEqual({
      system: SYSTEMS.jailReleaseReason,
      code: 'OR',
      display: 'Released on own recognizance',
    });
    expect(eb.meta?.security?.[0].code).toBe('R');
    const key = (r: MappingResult) => r.resources.find((m) => m.resourceType === 'Encounter')?.conditionalUrl;
    expect(key(b)).toBe(key(a));
    expect(all<Patient>(b, 'Patient')[0].identifier).toContainEqual({ system: CA_CII, value: 'A12345678' });
  });

  it('an unreadable release time is an error (the person must not stay "in custody" by mistake)', () => {
    const r = mapJailExtract(csv(HEADER, 'B2,J8,,Cole,Ray,,M,2024-07-01 22:15,2024-07-04 29:00,SERVED,'), {
      now: NOW,
    });
    expect(messages(r)).toEqual([
      "error: jail-bookings.csv row 2 column ReleaseDateTime: '2024-07-04 29:00' is not a date-time: hour 29 does not exist",
    ]);
    expect(r.resources).toEqual([]);
  });

  it('reports a release before booking, an unknown reason, and a missing booking time', () => {
    const r = mapJailExtract(
      csv(
        HEADER,
        'B3,J9,,A,B,,,2024-07-05 10:00,2024-07-04 10:00,OR,',
        'B4,J9,,A,B,,,2024-07-05 10:00,2024-07-06 10:00,ESCAPED,',
        'B5,J9,,A,B,,,,,,',
      ),
      { now: NOW },
    );
    expect(messages(r)).toEqual([
      "error: jail-bookings.csv row 2 column ReleaseDateTime: '2024-07-04 10:00' is before the booking time",
      "warning: jail-bookings.csv row 3 column ReleaseReason: 'ESCAPED' is not a release reason code of the layout; kept as text",
      'error: jail-bookings.csv row 4 column BookingDateTime: date-time is required but empty',
    ]);
    expect(all<Encounter>(r, 'Encounter').map((e) => e.identifier?.[0].value)).toEqual(['B4']);
  });
});
