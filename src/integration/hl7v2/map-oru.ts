import { CONCEPT_MAPS, SYSTEMS, kithIdentifierSystem, translateCoding } from '../../terminology';
import type {
  CodeableConcept,
  Coding,
  DiagnosticReport,
  Identifier,
  Observation,
  Reference,
} from '../fhir/types';
import { HL7_ERROR } from '../issues';
import { refTo } from '../result';
import type { Hl7Context } from './context';
import { cweToConcept, eiToIdentifier } from './datatypes';
import { patientFromPid } from './map-patient';
import { referenceRange, setObservationValue } from './obx-values';
import type { Segment } from './segment';

interface ReportInProgress {
  obr: Segment;
  key: Identifier;
  report: DiagnosticReport;
  results: Reference[];
}

/**
 * ORU^R01 → a DiagnosticReport per OBR and an Observation per OBX under it. Reports are keyed on
 * the filler order number (OBR-3), else the placer order number (OBR-2); observations on their
 * report plus OBX-3 code and OBX-4 sub-id, so a corrected result re-sent later replaces the
 * preliminary one instead of sitting next to it.
 */
export function mapOru(ctx: Hl7Context): void {
  const pid = ctx.first('PID');
  if (!pid) return;
  const patient = patientFromPid(ctx, pid);
  if (!patient) return;
  ctx.builder.add(patient.patient, patient.key, ctx.origin(pid));
  const subject = refTo('Patient', patient.key);

  let report: ReportInProgress | undefined;
  let lastObservation: Observation | undefined;
  const flush = (): void => {
    if (!report) return;
    if (report.results.length) report.report.result = report.results;
    ctx.builder.add(report.report, report.key, ctx.origin(report.obr));
    report = undefined;
  };

  for (const seg of ctx.segments) {
    if (seg.name === 'OBR') {
      flush();
      report = startReport(ctx, seg, subject);
      lastObservation = undefined;
    } else if (seg.name === 'OBX') {
      lastObservation = observationFromObx(ctx, seg, report, subject);
    } else if (seg.name === 'NTE' && lastObservation) {
      const text = noteText(seg);
      if (text) (lastObservation.note ??= []).push({ text });
    } else if (seg.name !== 'NTE') {
      lastObservation = undefined;
    }
  }
  flush();
}

function startReport(ctx: Hl7Context, obr: Segment, subject: Reference): ReportInProgress {
  let key =
    eiToIdentifier(ctx, obr, 3, 'filler-order-number', 'FILL') ??
    eiToIdentifier(ctx, obr, 2, 'placer-order-number', 'PLAC');
  if (!key) {
    key = {
      system: kithIdentifierSystem('hl7v2', ctx.source, 'message-report'),
      value: `${ctx.header.controlId}-${obr.get(1).trim() || obr.sequence}`,
    };
    ctx.issue(
      'info',
      HL7_ERROR.requiredFieldMissing,
      obr,
      3,
      'OBR-3 and OBR-2 order numbers are empty; the report is keyed on the message control id',
    );
  }
  const report: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    identifier: [key],
    status: (statusOf(
      ctx,
      obr,
      25,
      CONCEPT_MAPS.v2ResultStatus,
      SYSTEMS.v2('0123'),
      SYSTEMS.diagnosticReportStatus,
    ) ?? 'unknown') as DiagnosticReport['status'],
    code: cweToConcept(ctx, obr, 4) ?? { text: 'unspecified' },
    subject,
  };
  const effective = ctx.dateTime(obr, 7);
  if (effective) report.effectiveDateTime = effective;
  const issued = ctx.dateTime(obr, 22);
  if (issued?.includes('T')) report.issued = issued;
  return { obr, key, report, results: [] };
}

function observationFromObx(
  ctx: Hl7Context,
  obx: Segment,
  report: ReportInProgress | undefined,
  subject: Reference,
): Observation | undefined {
  const code = cweToConcept(ctx, obx, 3);
  if (!code) return undefined; // reported by validateHl7
  const key = observationKey(ctx, obx, report, code);
  const obs: Observation = {
    resourceType: 'Observation',
    identifier: [key],
    status: (statusOf(
      ctx,
      obx,
      11,
      CONCEPT_MAPS.v2ObservationResultStatus,
      SYSTEMS.v2('0085'),
      SYSTEMS.observationStatus,
    ) ?? 'unknown') as Observation['status'],
    code,
    subject,
  };
  const effective = ctx.dateTime(obx, 14) ?? (report ? ctx.dateTime(report.obr, 7) : undefined);
  if (effective) obs.effectiveDateTime = effective;
  if (!setObservationValue(ctx, obx, obs) && obx.has(5)) {
    obs.dataAbsentReason = {
      coding: [{ system: SYSTEMS.dataAbsentReason, code: 'unsupported', display: 'Unsupported' }],
    };
  }
  const interpretation = interpretations(ctx, obx);
  if (interpretation.length) obs.interpretation = interpretation;
  const range = referenceRange(obx);
  if (range) obs.referenceRange = range;
  ctx.builder.add(obs, key, ctx.origin(obx));
  report?.results.push(refTo('Observation', key));
  return obs;
}

function observationKey(
  ctx: Hl7Context,
  obx: Segment,
  report: ReportInProgress | undefined,
  code: CodeableConcept,
): Identifier {
  const codeValue = code.coding?.[0]?.code ?? code.text ?? 'unknown';
  const sub = obx.get(4).trim() || obx.get(1).trim() || String(obx.sequence);
  const base: Identifier = report
    ? { system: report.key.system, value: `${report.key.value}/${codeValue}/${sub}` }
    : {
        system: kithIdentifierSystem('hl7v2', ctx.source, 'message-observation'),
        value: `${ctx.header.controlId}/${codeValue}/${sub}`,
      };
  // Two OBX with the same code and sub-id under one OBR: keep both, told apart by position.
  if (ctx.builder.has('Observation', base)) return { ...base, value: `${base.value}#${obx.sequence}` };
  return base;
}

function interpretations(ctx: Hl7Context, obx: Segment): CodeableConcept[] {
  const out: CodeableConcept[] = [];
  for (let r = 1; r <= obx.repetitions(8); r++) {
    const flag = obx.get(8, 1, r).trim();
    if (!flag) continue;
    const coding: Coding = translateCoding(
      CONCEPT_MAPS.v2AbnormalFlags,
      SYSTEMS.v2('0078'),
      flag,
      SYSTEMS.v3ObservationInterpretation,
      ctx.registry,
    ) ?? { system: SYSTEMS.v2('0078'), code: flag };
    out.push({ coding: [coding] });
  }
  return out;
}

function statusOf(
  ctx: Hl7Context,
  seg: Segment,
  field: number,
  map: string,
  from: string,
  to: string,
): string | undefined {
  const code = seg.get(field).trim().toUpperCase();
  if (!code) return undefined;
  return translateCoding(map, from, code, to, ctx.registry)?.code;
}

function noteText(nte: Segment): string {
  const lines: string[] = [];
  for (let r = 1; r <= nte.repetitions(3); r++) lines.push(nte.get(3, 1, r));
  return lines.join('\n').trim();
}
