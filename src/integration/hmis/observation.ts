import { SYSTEMS, kithCodeSystem, kithExtension } from '../../terminology';
import type { CodeableConcept, Coding, Extension, Observation, ObservationComponent } from '../fhir/types';
import type { RowReader } from '../csv/row';
import type { HmisFileName } from './spec';
import { mergeLabels } from '../labels';
import { refTo } from '../result';
import type { HmisContext } from './context';

/** HMIS data elements (HUD data standard numbering) used as Observation codes. */
export const ELEMENTS: Record<string, string> = {
  '4.02': 'Income and Sources',
  '4.03': 'Non-Cash Benefits',
  '4.04': 'Health Insurance',
  '4.05': 'Physical Disability',
  '4.06': 'Developmental Disability',
  '4.07': 'Chronic Health Condition',
  '4.08': 'HIV/AIDS',
  '4.09': 'Mental Health Disorder',
  '4.10': 'Substance Use Disorder',
  '4.11': 'Domestic Violence',
  '4.12': 'Current Living Situation',
  R7: 'General Health Status',
  R8: 'Dental Health Status',
  R9: 'Mental Health Status',
  R10: 'Pregnancy Status',
  W3: 'Medical Assistance (HOPWA)',
};

export const NO_YES = ['0', '1', '8', '9', '99'];
export const MISSING = new Set(['8', '9', '99']);

/** An observation row after the checks every assessment-like file shares. */
export interface ObservationRow {
  r: RowReader;
  rowId: string;
  enrollmentId: string;
  personalId: string;
  date: string;
  labels?: Coding[];
}

/**
 * Rows of HealthAndDV / IncomeBenefits / Disabilities / CurrentLivingSituation with their common
 * columns checked. A row whose enrollment is not in the export is still mapped (the person may be
 * known from an earlier export) but loses its link to the enrollment, and that is reported.
 */
export function* observationRows(
  ctx: HmisContext,
  file: HmisFileName,
  idColumn: string,
): Generator<ObservationRow> {
  for (const r of ctx.rows(file)) {
    const rowId = r.require(idColumn);
    const enrollmentId = r.require('EnrollmentID');
    const personalId = r.require('PersonalID');
    const date = r.date('InformationDate', true);
    if (r.failed || !rowId || !enrollmentId || !personalId || !date) continue;
    const enrollment = ctx.enrollments.get(enrollmentId);
    if (!enrollment) {
      if (ctx.failedEnrollments.has(enrollmentId)) continue; // its Enrollment row is already in error
      ctx.dangling(
        r,
        'EnrollmentID',
        `enrollment '${enrollmentId}' is not in Enrollment.csv; mapped without the enrollment link`,
      );
      if (!ctx.clients.has(personalId))
        ctx.dangling(r, 'PersonalID', `client '${personalId}' is not in Client.csv`);
    } else if (enrollment.personalId !== personalId) {
      r.report(
        'error',
        'PersonalID',
        `'${personalId}' differs from enrollment ${enrollmentId}'s PersonalID '${enrollment.personalId}'`,
        personalId,
      );
      continue;
    }
    yield { r, rowId, enrollmentId, personalId, date, labels: enrollment?.labels };
  }
}

/** A new Observation for one HMIS data element of a row (identifier: row id + element). */
export function hmisObservation(
  ctx: HmisContext,
  row: ObservationRow,
  idKind: string,
  element: string,
  labels?: readonly Coding[],
): Observation {
  const obs: Observation = {
    resourceType: 'Observation',
    identifier: [ctx.id(idKind, `${row.rowId}/${element}`)],
    status: 'final',
    category: [
      {
        coding: [{ system: SYSTEMS.observationCategory, code: 'social-history', display: 'Social History' }],
      },
    ],
    code: { coding: [{ system: SYSTEMS.hmisDataElement, code: element, display: ELEMENTS[element] }] },
    subject: refTo('Patient', ctx.id('personal-id', row.personalId)),
    effectiveDateTime: row.date,
  };
  const extension: Extension[] = [];
  if (ctx.enrollments.has(row.enrollmentId)) {
    // R4 Observation cannot point at an EpisodeOfCare; the workflow extension carries the link.
    extension.push({
      url: EPISODE_EXTENSION,
      valueReference: refTo('EpisodeOfCare', ctx.id('enrollment-id', row.enrollmentId)),
    });
  }
  const stage = row.r.code('DataCollectionStage', ['1', '2', '3', '5', '6'], 'DataCollectionStage');
  if (stage) {
    const valueCoding = {
      system: kithCodeSystem('hmis-data-collection-stage'),
      code: stage,
      display: STAGES[stage],
    };
    extension.push({ url: kithExtension('hmis-data-collection-stage'), valueCoding });
  }
  if (extension.length) obs.extension = extension;
  const security = mergeLabels(row.labels, labels);
  if (security) obs.meta = { security };
  return obs;
}

export const EPISODE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare';

const STAGES: Record<string, string> = {
  '1': 'Project entry',
  '2': 'Update',
  '3': 'Project exit',
  '5': 'Annual assessment',
  '6': 'Post-exit',
};

/** Sets the value (or data-absent reason) of an observation or component from a translated code. */
export function setCoded(
  target: Observation | ObservationComponent,
  coded: { value?: CodeableConcept; absent?: CodeableConcept },
): void {
  if (coded.value) target.valueCodeableConcept = coded.value;
  else if (coded.absent) target.dataAbsentReason = coded.absent;
}

/** A code from an HMIS list that has no standard target: the HMIS coding, or the reason it is missing. */
export function listValue(
  ctx: HmisContext,
  system: string,
  code: string,
  displays: Record<string, string>,
): { value?: CodeableConcept; absent?: CodeableConcept } {
  if (MISSING.has(code)) return ctx.noYes(code);
  const display = displays[code];
  return { value: { coding: [display ? { system, code, display } : { system, code }] } };
}

export function component(code: string, display: string): ObservationComponent {
  return { code: { coding: [{ system: SYSTEMS.hmisDataElement, code, display }] } };
}

export function usd(value: number): ObservationComponent['valueQuantity'] {
  return { value, unit: 'USD', system: 'urn:iso:std:iso:4217', code: 'USD' };
}

/** Deleted rows: a conditional delete for each observation the row may have produced. */
export function deleteObservations(
  ctx: HmisContext,
  row: ObservationRow,
  idKind: string,
  elements: readonly string[],
): void {
  for (const element of elements) {
    const key = ctx.id(idKind, `${row.rowId}/${element}`);
    ctx.builder.add(
      { resourceType: 'Observation', identifier: [key], status: 'entered-in-error', code: { text: element } },
      key,
      ctx.origin(row.r),
      'delete',
    );
  }
}
