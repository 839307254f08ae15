import type { CsvSpec } from '../csv/read';

/**
 * The HMIS CSV files Kith reads and the columns each mapper uses, per the HUD HMIS CSV Format
 * Specifications FY2024 (v1.3) and FY2026 (v1.0). Other columns are ignored; other files of an
 * export (Funder, Inventory, Assessment ...) are not mapped yet.
 */
export type HmisVersion = 'FY2024' | 'FY2026';

export const HMIS_FILES = [
  'Export.csv',
  'Organization.csv',
  'Project.csv',
  'Client.csv',
  'Enrollment.csv',
  'Exit.csv',
  'Services.csv',
  'HealthAndDV.csv',
  'IncomeBenefits.csv',
  'Disabilities.csv',
  'CurrentLivingSituation.csv',
] as const;
export type HmisFileName = (typeof HMIS_FILES)[number];

const deleted = ['DateDeleted'];

export const FY2024_GENDER_COLUMNS = [
  'Woman',
  'Man',
  'NonBinary',
  'CulturallySpecific',
  'Transgender',
  'Questioning',
  'DifferentIdentity',
  'GenderNone',
] as const;

export function hmisSpec(file: HmisFileName, version: HmisVersion): CsvSpec {
  switch (file) {
    case 'Export.csv':
      return {
        required: ['ExportID'],
        expected: ['SourceID', 'SourceName', 'CSVVersion', 'HashStatus', 'ExportDirective', 'ExportDate'],
      };
    case 'Organization.csv':
      return {
        required: ['OrganizationID'],
        expected: ['OrganizationName', 'VictimServiceProvider', 'OrganizationCommonName', ...deleted],
      };
    case 'Project.csv':
      return {
        required: ['ProjectID', 'OrganizationID'],
        expected: [
          'ProjectName',
          'ProjectCommonName',
          'OperatingStartDate',
          'OperatingEndDate',
          'ProjectType',
          'TargetPopulation',
          ...deleted,
        ],
      };
    case 'Client.csv':
      return {
        required: ['PersonalID'],
        expected: [
          'FirstName',
          'MiddleName',
          'LastName',
          'NameSuffix',
          'NameDataQuality',
          'SSN',
          'SSNDataQuality',
          'DOB',
          'DOBDataQuality',
          ...(version === 'FY2026' ? ['Sex'] : FY2024_GENDER_COLUMNS),
          ...deleted,
        ],
      };
    case 'Enrollment.csv':
      return {
        required: ['EnrollmentID', 'PersonalID', 'ProjectID', 'EntryDate'],
        expected: ['HouseholdID', 'RelationshipToHoH', 'LivingSituation', 'MoveInDate', ...deleted],
      };
    case 'Exit.csv':
      return {
        required: ['ExitID', 'EnrollmentID', 'PersonalID', 'ExitDate'],
        expected: ['Destination', ...deleted],
      };
    case 'Services.csv':
      return {
        required: ['ServicesID', 'EnrollmentID', 'PersonalID', 'DateProvided', 'RecordType'],
        expected: ['TypeProvided', 'FAAmount', ...deleted],
      };
    case 'HealthAndDV.csv':
      return {
        required: ['HealthAndDVID', 'EnrollmentID', 'PersonalID', 'InformationDate'],
        expected: [
          'DomesticViolenceSurvivor',
          'WhenOccurred',
          'CurrentlyFleeing',
          'GeneralHealthStatus',
          'DentalHealthStatus',
          'MentalHealthStatus',
          'PregnancyStatus',
          'DueDate',
          'DataCollectionStage',
          ...deleted,
        ],
      };
    case 'IncomeBenefits.csv':
      return {
        required: ['IncomeBenefitsID', 'EnrollmentID', 'PersonalID', 'InformationDate'],
        expected: [
          'IncomeFromAnySource',
          'BenefitsFromAnySource',
          'InsuranceFromAnySource',
          'DataCollectionStage',
          ...deleted,
        ],
      };
    case 'Disabilities.csv':
      return {
        required: ['DisabilitiesID', 'EnrollmentID', 'PersonalID', 'InformationDate', 'DisabilityType'],
        expected: ['DisabilityResponse', 'IndefiniteAndImpairs', 'DataCollectionStage', ...deleted],
      };
    case 'CurrentLivingSituation.csv':
      return {
        required: [
          'CurrentLivingSitID',
          'EnrollmentID',
          'PersonalID',
          'InformationDate',
          'CurrentLivingSituation',
        ],
        expected: ['LocationDetails', ...deleted],
      };
  }
}

/** CSVVersion '2024 v1.3' → FY2024; unknown versions are read with the nearest layout. */
export function versionOf(
  csvVersion: string | undefined,
  clientHeader: readonly string[] | undefined,
): HmisVersion | undefined {
  const year = /^(\d{4})\b/.exec(csvVersion?.trim() ?? '')?.[1];
  if (year === '2024') return 'FY2024';
  if (year === '2026') return 'FY2026';
  if (clientHeader?.includes('Sex')) return 'FY2026';
  if (clientHeader?.includes('Woman')) return 'FY2024';
  return undefined;
}
