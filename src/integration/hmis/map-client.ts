import { CONCEPT_MAPS, SYSTEMS, kithExtension, translateCoding } from '../../terminology';
import type { Extension, HumanName, Patient } from '../fhir/types';
import type { RowReader } from '../csv/row';
import { rowIssue } from '../issues';
import type { HmisContext } from './context';
import { FY2024_GENDER_COLUMNS } from './spec';

const DATA_QUALITY = ['1', '2', '8', '9', '99'];
const MISSING = new Set(['8', '9', '99']);
// SHA-1 (40) or SHA-256 (64) hex digests, the forms HUD's hashed exports use.
const HASH = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/**
 * Client.csv → Patient. Data-quality codes decide what a value means: 8/9/99 say the value is
 * missing and why (kept as a data-absent-reason on birthDate and gender), 2 says it is partial.
 * In a hashed export (Export.HashStatus 2-4) hashed names are not names and a hashed SSN is not an
 * SSN; they are kept only as source-scoped identifiers.
 */
export function mapClients(ctx: HmisContext): void {
  const hashed = ctx.info.hashStatus !== 1;
  const plainInHashedExport = new Set<string>();
  for (const r of ctx.rows('Client.csv')) {
    const personalId = r.require('PersonalID');
    if (r.failed || !personalId) continue;
    const key = ctx.id('personal-id', personalId);
    ctx.clients.add(personalId);
    if (r.str('DateDeleted')) {
      ctx.builder.add({ resourceType: 'Patient', identifier: [key] }, key, ctx.origin(r), 'delete');
      continue;
    }
    const patient: Patient = { resourceType: 'Patient', identifier: [key] };
    const quality: Extension[] = [];
    const nameDq = r.code('NameDataQuality', DATA_QUALITY, 'NameDataQuality (1, 2, 8, 9 or 99)');
    const ssnDq = r.code('SSNDataQuality', DATA_QUALITY, 'SSNDataQuality (1, 2, 8, 9 or 99)');
    const dobDq = r.code('DOBDataQuality', DATA_QUALITY, 'DOBDataQuality (1, 2, 8, 9 or 99)');
    for (const [part, dq] of [
      ['name', nameDq],
      ['ssn', ssnDq],
      ['dob', dobDq],
    ] as const) {
      if (dq) quality.push({ url: part, valueCoding: { system: SYSTEMS.hmisDataQuality, code: dq } });
    }

    const plain = (column: string): string | undefined => {
      const v = r.str(column);
      if (v === undefined || !hashed) return v;
      if (HASH.test(v)) return undefined;
      if (!plainInHashedExport.has(column)) {
        plainInHashedExport.add(column);
        ctx.builder.issue(
          rowIssue(
            'warning',
            r.file,
            r.rowNumber,
            column,
            `Export.HashStatus is ${ctx.info.hashStatus} (hashed) but this value is not a hash; values of this column are read as plain text`,
          ),
        );
      }
      return v;
    };

    const name = personName(plain('FirstName'), plain('MiddleName'), plain('LastName'), plain('NameSuffix'));
    if (name) {
      if (nameDq && MISSING.has(nameDq))
        r.report(
          'warning',
          'NameDataQuality',
          `is ${nameDq} (name missing) but a name is present; the name is kept`,
          nameDq,
        );
      patient.name = [name];
    }

    mapSsn(ctx, r, patient, ssnDq, hashed);

    const dob = r.date('DOB');
    if (dob && dob > ctx.today) {
      r.report('warning', 'DOB', `'${dob}' is in the future; not mapped`, dob);
    } else if (dob) {
      if (dobDq && MISSING.has(dobDq))
        r.report(
          'warning',
          'DOBDataQuality',
          `is ${dobDq} (date of birth missing) but DOB has a value; the date is kept`,
          dobDq,
        );
      patient.birthDate = dob;
    } else if (dobDq && MISSING.has(dobDq)) {
      patient._birthDate = { extension: [absentReason(ctx, dobDq)] };
    }

    if (ctx.info.version === 'FY2026') mapSex(ctx, r, patient);
    else mapFy2024Gender(ctx, r, patient);
    if (quality.length) patient.extension = [{ url: kithExtension('hmis-data-quality'), extension: quality }];
    ctx.builder.add(patient, key, ctx.origin(r));
  }
}

function personName(first?: string, middle?: string, last?: string, suffix?: string): HumanName | undefined {
  if (!first && !middle && !last) return undefined;
  const name: HumanName = { use: 'usual' };
  if (last) name.family = last;
  const given = [first, middle].filter((s): s is string => Boolean(s));
  if (given.length) name.given = given;
  if (suffix) name.suffix = [suffix];
  return name;
}

function mapSsn(
  ctx: HmisContext,
  r: RowReader,
  patient: Patient,
  dq: string | undefined,
  hashed: boolean,
): void {
  const ssn = r.str('SSN');
  if (!ssn) return;
  if (hashed && HASH.test(ssn)) {
    patient.identifier!.push({ system: ctx.system('hashed-ssn'), value: ssn.toLowerCase() });
    return;
  }
  const digits = ssn.replace(/-/g, '');
  if (dq === '2' || /x/i.test(digits)) return; // declared partial (HUD allows 'xxxxx1234'): not an identifier
  if (!/^\d{9}$/.test(digits)) {
    r.report('warning', 'SSN', `'${ssn}' is not a 9-digit SSN; not mapped`, ssn);
    return;
  }
  patient.identifier!.push({ system: SYSTEMS.usSsn, value: digits });
}

function absentReason(ctx: HmisContext, dq: string): Extension {
  const coding = translateCoding(
    CONCEPT_MAPS.hmisDataQuality,
    SYSTEMS.hmisDataQuality,
    dq,
    SYSTEMS.dataAbsentReason,
    ctx.registry,
  );
  return {
    url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason',
    valueCode: coding?.code ?? 'unknown',
  };
}

/** FY2026 Sex: 0 female, 1 male, 8/9/99 missing. */
function mapSex(ctx: HmisContext, r: RowReader, patient: Patient): void {
  const sex = r.code('Sex', ['0', '1', '8', '9', '99'], 'Sex (0, 1, 8, 9 or 99)');
  if (!sex) return;
  const { value, absent } = ctx.concept(CONCEPT_MAPS.hmisSex, SYSTEMS.hmisSex, sex);
  const gender = value?.coding?.find((c) => c.system === SYSTEMS.administrativeGender)?.code;
  if (gender) patient.gender = gender as Patient['gender'];
  const reason = absent?.coding?.find((c) => c.system === SYSTEMS.dataAbsentReason)?.code;
  if (reason)
    patient._gender = {
      extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: reason }],
    };
}

/**
 * FY2024 records gender identity in yes/no columns; administrative gender is approximated from
 * them: Woman only → female, Man only → male, any other identity → other. GenderNone 8/9/99 is
 * the reason it is missing.
 */
function mapFy2024Gender(ctx: HmisContext, r: RowReader, patient: Patient): void {
  const yes = (col: string): boolean => r.code(col, ['0', '1', '99'], `${col} (0, 1 or 99)`) === '1';
  const flags = Object.fromEntries(
    FY2024_GENDER_COLUMNS.filter((c) => c !== 'GenderNone').map((c) => [c, yes(c)]),
  );
  const others = ['NonBinary', 'CulturallySpecific', 'DifferentIdentity'].some((c) => flags[c]);
  if (flags.Woman && !flags.Man && !others) patient.gender = 'female';
  else if (flags.Man && !flags.Woman && !others) patient.gender = 'male';
  else if (flags.Woman || flags.Man || others) patient.gender = 'other';
  const none = r.code('GenderNone', ['8', '9', '99'], 'GenderNone (8, 9 or 99)');
  if (!patient.gender && none) patient._gender = { extension: [absentReason(ctx, none)] };
}
