import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, expect, it } from 'vitest';
import { SYSTEMS, kithExtension } from '../../terminology';
import { toTransactionBundle } from '../bundle';
import type { Encounter, EpisodeOfCare, Observation, Patient } from '../fhir/types';
import { describeWithFixtures } from '../testing/fixtures';
import { mapHmisExport, readHmisFolder, type HmisResult } from './index';

const NOW = new Date('2025-01-01T00:00:00Z');
type Row = Record<string, string>;

/** The files read with csv-parse's own column mode: an independent count of what should come out. */
function rows(dir: string, file: string): Row[] {
  try {
    return parse(readFileSync(join(dir, file)), {
      columns: true,
      bom: true,
      relax_column_count: true,
    }) as Row[];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

const of = <T>(result: HmisResult, type: string): T[] =>
  result.resources
    .filter((r) => r.resourceType === type && r.action === 'upsert')
    .map((r) => r.resource as T);

const FOLDERS = [
  'fy2024-datalab-merged',
  'fy2024-enrollment_test_files',
  'fy2026-bom_test',
  'fy2026-enrollment_test_files',
];

describeWithFixtures('HMIS CSV fixtures (Green River)', 'hmis-csv-greenriver', (fixtures) => {
  const results = new Map<string, HmisResult>();
  beforeAll(async () => {
    for (const folder of FOLDERS)
      results.set(folder, mapHmisExport(await readHmisFolder(join(fixtures.path, folder)), { now: NOW }));
  }, 120_000);

  for (const folder of FOLDERS) {
    it(`${folder}: persons, enrollments, exits and encounters match the files`, () => {
      const dir = join(fixtures.path, folder);
      const result = results.get(folder)!;
      const live = (r: Row) => !r.DateDeleted;
      const clients = new Set(
        rows(dir, 'Client.csv')
          .filter(live)
          .map((r) => r.PersonalID),
      );
      const enrollments = new Set(
        rows(dir, 'Enrollment.csv')
          .filter(live)
          .map((r) => r.EnrollmentID),
      );
      const exited = new Set(
        rows(dir, 'Exit.csv')
          .filter((r) => live(r) && r.ExitDate && enrollments.has(r.EnrollmentID))
          .map((r) => r.EnrollmentID),
      );
      const services = rows(dir, 'Services.csv').filter(live);
      const bedNights = services.filter((r) => r.RecordType === '200').length;
      const organizations = rows(dir, 'Organization.csv').length + rows(dir, 'Project.csv').length;

      expect(of<Patient>(result, 'Patient')).toHaveLength(clients.size);
      const episodes = of<EpisodeOfCare>(result, 'EpisodeOfCare');
      expect(episodes).toHaveLength(enrollments.size);
      expect(episodes.filter((e) => e.status === 'finished')).toHaveLength(exited.size);
      expect(of<Encounter>(result, 'Encounter')).toHaveLength(bedNights);
      expect(of(result, 'Procedure')).toHaveLength(services.length - bedNights);
      expect(of(result, 'Organization')).toHaveLength(organizations);
      expect(new Set(of<Patient>(result, 'Patient').map((p) => p.identifier?.[0].value))).toEqual(clients);
      // Nothing in these exports is fatal: no row of a required file was lost to an error ...
      const errors = result.issues.filter((i) => i.severity === 'error');
      expect(errors.every((e) => e.kind === 'row' && e.file === 'CurrentLivingSituation.csv')).toBe(true);
    });
  }

  it('fy2024-datalab-merged: observations per file are counted from the rows', () => {
    const dir = join(fixtures.path, 'fy2024-datalab-merged');
    const result = results.get('fy2024-datalab-merged')!;
    const observations = of<Observation>(result, 'Observation');
    const element = (code: string) => observations.filter((o) => o.code.coding?.[0].code === code);
    const health = rows(dir, 'HealthAndDV.csv');
    const dvRows = health.filter((r) => r.DomesticViolenceSurvivor || r.WhenOccurred || r.CurrentlyFleeing);
    expect(element('4.11')).toHaveLength(dvRows.length);
    expect(element('R7')).toHaveLength(health.filter((r) => r.GeneralHealthStatus).length);
    expect(element('R9')).toHaveLength(health.filter((r) => r.MentalHealthStatus).length);
    const disabilities = rows(dir, 'Disabilities.csv');
    const byType = (t: string) => disabilities.filter((r) => r.DisabilityType === t).length;
    expect(element('4.08')).toHaveLength(byType('8'));
    expect(element('4.10')).toHaveLength(byType('10'));
    expect(observations.filter((o) => /^4\.(0[5-9]|10)$/.test(o.code.coding![0].code!))).toHaveLength(
      disabilities.length,
    );
    expect(element('4.12')).toHaveLength(rows(dir, 'CurrentLivingSituation.csv').length);
    expect(element('4.02')).toHaveLength(
      rows(dir, 'IncomeBenefits.csv').filter((r) => r.IncomeFromAnySource || r.TotalMonthlyIncome).length,
    );
  });

  it('fy2024-datalab-merged: a client, an enrollment and its exit, field by field', () => {
    const result = results.get('fy2024-datalab-merged')!;
    const patient = of<Patient>(result, 'Patient').find((p) => p.identifier?.[0].value === '528656')!;
    expect(patient.identifier?.[0].system).toBe('https://kith.example.org/fhir/sid/hmis/1106/personal-id');
    expect(patient.name).toEqual([
      { use: 'usual', family: 'Contrivance', given: ['Herringbone'], suffix: ['Jr.'] },
    ]);
    expect(patient.birthDate).toBe('1990-07-24');
    expect(patient.gender).toBe('male');
    expect(patient.identifier).toContainEqual({ system: SYSTEMS.usSsn, value: '227930267' });

    const open = of<EpisodeOfCare>(result, 'EpisodeOfCare').find(
      (e) => e.identifier?.[0].value === '563089',
    )!;
    expect(open.status).toBe('active');
    expect(open.period).toEqual({ start: '2014-08-01' });

    const episode = of<EpisodeOfCare>(result, 'EpisodeOfCare').find(
      (e) => e.identifier?.[0].value === '849668',
    )!;
    expect(episode.status).toBe('finished');
    expect(episode.period).toEqual({ start: '2022-05-04', end: '2022-05-04' });
    expect(episode.type?.[0].coding?.[0]).toEqual({
      system: SYSTEMS.hmisProjectType,
      code: '0',
      display: 'Emergency Shelter - Entry Exit',
    });
    const household = episode.extension?.find((x) => x.url === kithExtension('household'));
    expect(household?.extension?.[0].valueIdentifier?.value).toBe('s_849668');
    expect(household?.extension?.[1].valueCodeableConcept?.coding?.map((c) => c.code)).toEqual([
      '1',
      'ONESELF',
    ]);
    const prior = episode.extension?.find((x) => x.url === kithExtension('hmis-prior-living-situation'));
    expect(prior?.valueCodeableConcept?.coding?.map((c) => c.code)).toEqual(['336', 'temporary']);

    const exited = of<EpisodeOfCare>(result, 'EpisodeOfCare').find(
      (e) => e.identifier?.[0].value === '826158',
    )!;
    expect(exited.status).toBe('finished');
    expect(exited.period?.end).toBe('2021-10-01');
    const destination = exited.extension?.find((x) => x.url === kithExtension('hmis-exit-destination'));
    expect(destination?.valueCodeableConcept?.coding).toEqual([
      {
        system: SYSTEMS.hmisLivingSituation,
        code: '410',
        display: 'Rental by client, no ongoing housing subsidy',
      },
      { system: SYSTEMS.housingSituationCategory, code: 'permanent', display: 'Permanent housing situation' },
    ]);
    const mapped = result.resources.find(
      (r) => r.identifier.value === '826158' && r.resourceType === 'EpisodeOfCare',
    )!;
    expect(mapped.origin.map((o) => (o.kind === 'row' ? o.file : ''))).toEqual([
      'Enrollment.csv',
      'Exit.csv',
    ]);
    expect(mapped.dependsOn.some((k) => k.startsWith('Patient|'))).toBe(true);
  });

  it('fy2024-datalab-merged: domestic violence answers carry SDV and R, HIV answers HIV', () => {
    const result = results.get('fy2024-datalab-merged')!;
    const observations = of<Observation>(result, 'Observation');
    const dv = observations.filter((o) => o.code.coding?.[0].code === '4.11');
    expect(dv.length).toBeGreaterThan(0);
    for (const o of dv) {
      expect(o.meta?.security?.map((c) => c.code)).toEqual(['SDV', 'R']);
    }
    const first = dv.find((o) => o.identifier?.[0].value === '826158_1/4.11')!;
    expect(first.valueCodeableConcept?.coding?.map((c) => c.code)).toEqual(['1', 'Y']);
    expect(first.component?.map((c) => c.code.coding?.[0].code)).toEqual(['4.11.A', '4.11.B']);
    expect(
      observations
        .filter((o) => o.code.coding?.[0].code === '4.08')
        .every((o) => o.meta?.security?.[0].code === 'HIV'),
    ).toBe(true);
    expect(
      observations.filter((o) => o.code.coding?.[0].code === '4.05').every((o) => o.meta === undefined),
    ).toBe(true);
  });

  it('FY2026: layout detected from CSVVersion; a BOM changes nothing', () => {
    const bom = results.get('fy2026-bom_test')!;
    const plain = results.get('fy2026-enrollment_test_files')!;
    expect(bom.export?.version).toBe('FY2026');
    expect(results.get('fy2024-enrollment_test_files')!.export?.version).toBe('FY2024');
    expect(bom.resources).toEqual(plain.resources);
    expect(bom.issues.map((i) => i.message)).toEqual(plain.issues.map((i) => i.message));
  });

  it('orphan and incomplete rows are reported with file, row and column while the rest goes on', () => {
    const messages = results.get('fy2026-enrollment_test_files')!.issues.map((i) => i.message);
    expect(messages).toContain(
      "CurrentLivingSituation.csv row 2 column EnrollmentID: enrollment '2141' is not in Enrollment.csv; mapped without the enrollment link",
    );
    expect(messages).toContain(
      'CurrentLivingSituation.csv row 4 column InformationDate: date is required but empty',
    );
    expect(messages).toContain(
      'Client.csv row 2 column DOBDataQuality: is 99 (date of birth missing) but DOB has a value; the date is kept',
    );
    const datalab = results.get('fy2024-datalab-merged')!.issues.map((i) => i.message);
    expect(datalab).toContain(
      "Export.csv row 2 column ExportDate: '02-07-2023 12:00:00' is not a date-time (expected YYYY-MM-DD HH:MM:SS)",
    );
    expect(datalab).toContain(
      'Client.csv row 2 column FirstName: Export.HashStatus is 3 (hashed) but this value is not a hash; values of this column are read as plain text',
    );
  });

  it('re-reading the same export produces the same bundle (idempotent)', async () => {
    const again = mapHmisExport(await readHmisFolder(join(fixtures.path, 'fy2024-enrollment_test_files')), {
      now: NOW,
    });
    expect(toTransactionBundle(again)).toEqual(
      toTransactionBundle(results.get('fy2024-enrollment_test_files')!),
    );
  });
});
