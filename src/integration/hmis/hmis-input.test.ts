import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SYSTEMS, kithIdentifierSystem } from '../../terminology';
import { toTransactionBundle } from '../bundle';
import type { Encounter, EpisodeOfCare, Observation, Patient, Procedure } from '../fhir/types';
import { mapHmisExport } from './index';
import type { HmisFiles } from './context';

const NOW = new Date('2025-01-01T00:00:00Z');
const csv = (...lines: string[]): string => lines.join('\n') + '\n';

const EXPORT = csv(
  'ExportID,SourceType,SourceID,SourceName,ExportDate,CSVVersion,ExportDirective,HashStatus',
  'E-1,1,KCOC,Kith County CoC,2024-07-01 08:00:00,2024 v1.3,2,1',
);
const ORGS = csv(
  'OrganizationID,OrganizationName,VictimServiceProvider,OrganizationCommonName,DateCreated,DateUpdated,UserID,DateDeleted,ExportID',
  'O1,Harbor Shelter,0,Harbor,2020-01-01 00:00:00,2020-01-01 00:00:00,u,,E-1',
  'O2,Safe Passage,1,,2020-01-01 00:00:00,2020-01-01 00:00:00,u,,E-1',
);
const PROJECTS = csv(
  'ProjectID,OrganizationID,ProjectName,ProjectCommonName,OperatingStartDate,OperatingEndDate,ProjectType,TargetPopulation,DateDeleted',
  'P1,O1,Harbor ES,,2019-01-01,,0,4,',
  'P2,O2,Safe Passage TH,,2019-01-01,,2,4,',
  'P3,O1,Harbor DV beds,,2019-01-01,2020-01-01,0,1,',
);
const CLIENTS = csv(
  'PersonalID,FirstName,MiddleName,LastName,NameSuffix,NameDataQuality,SSN,SSNDataQuality,DOB,DOBDataQuality,Woman,Man,NonBinary,CulturallySpecific,Transgender,Questioning,DifferentIdentity,GenderNone,DateDeleted',
  'C1,Ana,,Rivera,,1,123-45-6789,1,1988-04-02,1,1,0,0,0,0,0,0,,',
  'C2,Ben,,Okafor,,1,,99,2020-13-45,1,0,1,0,0,0,0,0,,',
  ',No,,Id,,1,,99,,99,0,0,0,0,0,0,0,99,',
  'C4,,,,,99,,9,,8,0,0,0,0,0,0,0,9,',
  'C5,Gone,,Away,,1,,99,1970-01-01,1,0,0,0,0,0,0,0,,2024-01-01 00:00:00',
  'C6,Sam,,Lee,,1,12345,1,1990-01-01,1,0,0,1,0,0,0,0,,',
);
const ENROLLMENTS = csv(
  'EnrollmentID,PersonalID,ProjectID,EntryDate,HouseholdID,RelationshipToHoH,LivingSituation,MoveInDate,DateDeleted',
  'E1,C1,P1,2024-01-10,H1,1,116,,',
  'E2,C2,P1,2024-02-30,H2,1,101,,',
  'E3,C1,P2,2024-03-01,H3,1,101,,',
  'E4,C6,P9,2024-03-05,H4,"1"x,101,,',
  'E5,C6,P3,2024-03-05,H5,2,336,,',
  'E6,C4,P1,2024-04-01,H6,7,999,2024-04-15,',
);
const EXITS = csv(
  'ExitID,EnrollmentID,PersonalID,ExitDate,Destination,DateDeleted',
  'X1,E1,C1,2024-02-01,435,',
  'X2,E404,C1,2024-02-01,410,',
  'X3,E5,C6,2024-01-01,410,',
);
const SERVICES = csv(
  'ServicesID,EnrollmentID,PersonalID,DateProvided,RecordType,TypeProvided,FAAmount,DateDeleted',
  'S1,E1,C1,2024-01-11,200,200,,',
  'S2,E1,C1,2024-01-12,141,6,,',
  'S3,E1,C1,2024-01-13,152,1,"1,250.00",',
  'S4,E2,C2,2024-03-01,200,200,,',
  'S5,E1,C1,2024-01-14,999,1,,',
  'S6,E3,C1,2024-03-02,200,200,,',
  'S7,E1,C1,2024-01-15,200,200,,2024-02-01 00:00:00',
  'S8,E1,C6,2024-01-16,200,200,,',
);
const HEALTH = csv(
  'HealthAndDVID,EnrollmentID,PersonalID,InformationDate,DomesticViolenceSurvivor,WhenOccurred,CurrentlyFleeing,GeneralHealthStatus,DentalHealthStatus,MentalHealthStatus,PregnancyStatus,DueDate,DataCollectionStage,DateDeleted',
  'HD1,E1,C1,2024-01-10,0,,,3,,4,,,1,',
  'HD2,E3,C1,2024-03-01,1,1,1,,,,1,2024-09-01,1,',
);
const DISABILITIES = csv(
  'DisabilitiesID,EnrollmentID,PersonalID,InformationDate,DisabilityType,DisabilityResponse,IndefiniteAndImpairs,DataCollectionStage,DateDeleted',
  'D1,E1,C1,2024-01-10,10,2,1,1,',
  'D2,E1,C1,2024-01-10,9,9,,1,',
  'D3,E1,C1,2024-01-10,11,1,,1,',
);

const base: HmisFiles = {
  'Export.csv': EXPORT,
  'Organization.csv': ORGS,
  'Project.csv': PROJECTS,
  'Client.csv': CLIENTS,
  'Enrollment.csv': ENROLLMENTS,
  'Exit.csv': EXITS,
  'Services.csv': SERVICES,
  'HealthAndDV.csv': HEALTH,
  'Disabilities.csv': DISABILITIES,
};

const find = <T>(result: ReturnType<typeof mapHmisExport>, type: string, value: string): T | undefined =>
  result.resources.find(
    (r) => r.resourceType === type && r.identifier.value === value && r.action === 'upsert',
  )?.resource as T | undefined;

describe('HMIS export built by the test: bad rows are reported precisely and the rest goes on', () => {
  const result = mapHmisExport(base, { now: NOW });
  const messages = result.issues.map((i) => `${i.severity}: ${i.message}`);

  it('reports every problem with file, row and column', () => {
    expect(messages).toEqual(
      expect.arrayContaining([
        "warning: Client.csv row 3 column DOB: '2020-13-45' is not a date: month 13 does not exist",
        'error: Client.csv row 4 column PersonalID: value is required but empty',
        "warning: Client.csv row 7 column SSN: '12345' is not a 9-digit SSN; not mapped",
        "error: Enrollment.csv row 3 column EntryDate: '2024-02-30' is not a date: day 30 does not exist in 2024-02",
        "error: Enrollment.csv row 5 column RelationshipToHoH: quoting error: a closing quote is followed by 'x' instead of a comma",
        "warning: Enrollment.csv row 7 column RelationshipToHoH: '7' is not a valid RelationshipToHoH code",
        "warning: Enrollment.csv row 7 column LivingSituation: '999' is not a valid LivingSituation code",
        "warning: Exit.csv row 3 column EnrollmentID: enrollment 'E404' is not in Enrollment.csv; the exit is not applied",
        "warning: Exit.csv row 4 column ExitDate: '2024-01-01' is before the entry date 2024-03-05; the exit date is not mapped",
        "error: Services.csv row 6 column RecordType: '999' is not a valid RecordType",
        "error: Services.csv row 9 column PersonalID: 'C6' differs from enrollment E1's PersonalID 'C1'",
        "error: Disabilities.csv row 4 column DisabilityType: '11' is not a valid DisabilityType (5-10)",
      ]),
    );
    // A row whose enrollment failed is not reported again for each dependent row.
    expect(messages.filter((m) => m.includes('E2'))).toEqual([]);
  });

  it('maps everything else', () => {
    expect(
      result.resources
        .filter((r) => r.resourceType === 'Patient' && r.action === 'upsert')
        .map((r) => r.identifier.value),
    ).toEqual(['C1', 'C2', 'C4', 'C6']);
    expect(
      result.resources.filter((r) => r.resourceType === 'EpisodeOfCare').map((r) => r.identifier.value),
    ).toEqual(['E1', 'E3', 'E5', 'E6']);
    expect(find<Patient>(result, 'Patient', 'C2')).toMatchObject({
      name: [{ family: 'Okafor' }],
      gender: 'male',
    });
    expect(find<Patient>(result, 'Patient', 'C2')?.birthDate).toBeUndefined();
  });

  it('turns data-quality codes 8/9/99 into data-absent reasons', () => {
    const c4 = find<Patient>(result, 'Patient', 'C4')!;
    expect(c4.name).toBeUndefined();
    expect(c4._birthDate).toEqual({
      extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'asked-unknown' },
      ],
    });
    expect(c4._gender).toEqual({
      extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'asked-declined' },
      ],
    });
    const c1 = find<Patient>(result, 'Patient', 'C1')!;
    expect(c1.gender).toBe('female');
    expect(c1.identifier).toContainEqual({ system: SYSTEMS.usSsn, value: '123456789' });
  });

  it('closes an episode at exit with its destination; keeps household and prior living situation', () => {
    const e1 = find<EpisodeOfCare>(result, 'EpisodeOfCare', 'E1')!;
    expect(e1.status).toBe('finished');
    expect(e1.period).toEqual({ start: '2024-01-10', end: '2024-02-01' });
    expect(e1.managingOrganization?.reference).toMatch(/^urn:uuid:/);
    const e5 = find<EpisodeOfCare>(result, 'EpisodeOfCare', 'E5')!;
    expect(e5.status).toBe('active'); // the exit before entry was not applied
  });

  it('labels everything about a victim service provider or DV project enrollment SDV + R', () => {
    const sdv = (r?: { meta?: { security?: { code?: string }[] } }) => r?.meta?.security?.map((c) => c.code);
    expect(sdv(find(result, 'EpisodeOfCare', 'E3'))).toEqual(['SDV', 'R']); // VSP organization
    expect(sdv(find(result, 'EpisodeOfCare', 'E5'))).toEqual(['SDV', 'R']); // DV target population
    expect(sdv(find(result, 'EpisodeOfCare', 'E1'))).toBeUndefined();
    expect(sdv(find<Encounter>(result, 'Encounter', 'S6'))).toEqual(['SDV', 'R']);
    expect(sdv(find<Observation>(result, 'Observation', 'HD2/R10'))).toEqual(['SDV', 'R']);
    expect(sdv(find<Observation>(result, 'Observation', 'HD1/4.11'))).toEqual(['SDV', 'R']); // DV answer, even "no"
    expect(sdv(find<Observation>(result, 'Observation', 'HD1/R7'))).toBeUndefined();
    expect(sdv(find<Observation>(result, 'Observation', 'HD1/R9'))).toEqual(['PSY', 'R']);
    expect(sdv(find<Observation>(result, 'Observation', 'D1/4.10'))).toEqual(['ETH', 'R']);
  });

  it('maps a bed night to an Encounter and other services to Procedures', () => {
    const bedNight = find<Encounter>(result, 'Encounter', 'S1')!;
    expect(bedNight).toMatchObject({
      status: 'finished',
      class: { code: 'FLD' },
      period: { start: '2024-01-11', end: '2024-01-11' },
    });
    expect(bedNight.episodeOfCare?.[0].reference).toMatch(/^urn:uuid:/);
    const fa = find<Procedure>(result, 'Procedure', 'S3')!;
    expect(fa.category?.coding?.[0]).toEqual({
      system: SYSTEMS.hmisRecordType,
      code: '152',
      display: 'SSVF Financial Assistance',
    });
    expect(fa.extension?.find((x) => x.valueMoney)?.valueMoney).toEqual({ value: 1250, currency: 'USD' });
  });

  it('codes HMIS answers: substance use list, yes/no with v2-0136, missing reasons', () => {
    const sud = find<Observation>(result, 'Observation', 'D1/4.10')!;
    expect(sud.valueCodeableConcept?.coding?.[0]).toMatchObject({ code: '2', display: 'Drug use disorder' });
    expect(sud.component?.[0].valueCodeableConcept?.coding?.map((c) => c.code)).toEqual(['1', 'Y']);
    const mental = find<Observation>(result, 'Observation', 'D2/4.09')!;
    expect(mental.dataAbsentReason?.coding?.map((c) => c.code)).toEqual(['9', 'asked-declined']);
  });

  it('turns source deletions into conditional deletes', () => {
    const deletes = toTransactionBundle(result)
      .entry.filter((e) => e.request.method === 'DELETE')
      .map((e) => e.request.url);
    expect(deletes).toEqual([
      `Patient?identifier=${encodeURIComponent(kithIdentifierSystem('hmis', 'KCOC', 'personal-id'))}|C5`,
      `Encounter?identifier=${encodeURIComponent(kithIdentifierSystem('hmis', 'KCOC', 'services-id'))}|S7`,
    ]);
  });
});

describe('HMIS export: whole-file problems', () => {
  it('a missing required column stops that file only', () => {
    const result = mapHmisExport(
      { ...base, 'Enrollment.csv': ENROLLMENTS.replace('EntryDate', 'Entry_Date') },
      { now: NOW },
    );
    expect(result.issues.map((i) => i.message)).toContain(
      'Enrollment.csv row 1 column EntryDate: required column is missing; no row of this file can be mapped',
    );
    expect(result.resources.filter((r) => r.resourceType === 'EpisodeOfCare')).toEqual([]);
    expect(result.resources.filter((r) => r.resourceType === 'Patient').length).toBe(5);
  });

  it('a missing optional column is a warning and the values are just absent', () => {
    const noDob = CLIENTS.split('\n')
      .map((l) =>
        l
          .split(',')
          .filter((_, i) => i !== 8)
          .join(','),
      )
      .join('\n');
    const result = mapHmisExport({ ...base, 'Client.csv': noDob }, { now: NOW });
    expect(result.issues).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        message: 'Client.csv row 1 column DOB: column is missing; its values are not mapped',
      }),
    );
    expect(find<Patient>(result, 'Patient', 'C1')?.birthDate).toBeUndefined();
  });

  it('without Export.csv SourceID/SourceName or a configured source, nothing can be keyed', () => {
    const files = {
      ...base,
      'Export.csv': csv('ExportID,SourceID,SourceName,CSVVersion,HashStatus', 'E-1,,,2024 v1.3,1'),
    };
    const result = mapHmisExport(files);
    expect(result.resources).toEqual([]);
    expect(result.issues.at(-1)?.message).toBe(
      'Export.csv column SourceID: no SourceID or SourceName, and no source configured for the channel: records cannot be keyed',
    );
    expect(mapHmisExport(files, { source: 'county-hmis', now: NOW }).resources.length).toBeGreaterThan(0);
  });

  it('a hashed export keeps hashed SSNs as source identifiers and never uses a hash as a name', () => {
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const files = {
      ...base,
      'Export.csv': EXPORT.replace(/,1\n$/, ',4\n'),
      'Client.csv': csv(
        'PersonalID,FirstName,MiddleName,LastName,NameSuffix,NameDataQuality,SSN,SSNDataQuality,DOB,DOBDataQuality',
        `H1,${sha('ANA')},,${sha('RIVERA')},,1,${sha('123456789')},1,1988-04-02,1`,
      ),
    };
    const patient = find<Patient>(mapHmisExport(files, { now: NOW }), 'Patient', 'H1')!;
    expect(patient.name).toBeUndefined();
    expect(patient.identifier).toContainEqual({
      system: kithIdentifierSystem('hmis', 'KCOC', 'hashed-ssn'),
      value: sha('123456789'),
    });
    expect(patient.identifier?.some((i) => i.system === SYSTEMS.usSsn)).toBe(false);
  });

  it('an unknown CSV version is read with the FY2024 layout and reported', () => {
    const result = mapHmisExport(
      { ...base, 'Export.csv': EXPORT.replace('2024 v1.3', '2020 v1.8') },
      { now: NOW },
    );
    expect(result.export?.version).toBe('FY2024');
    expect(
      result.issues.some((i) => i.message.includes("CSV version '2020 v1.8' is not FY2024 or FY2026")),
    ).toBe(true);
  });
});
