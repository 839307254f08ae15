import {
  CONCEPT_MAPS,
  SYSTEMS,
  defaultRegistry,
  translate,
  type ConceptMapRegistry,
} from '../../terminology';
import { HL7_ERROR, hl7Issue, quote, type Hl7ErrorCode, type Hl7Issue, type Severity } from '../issues';
import { DEFAULT_TIME_ZONE, parseHl7DateTime } from '../time';
import { normalizeSsn } from './datatypes';
import { ADT_EVENTS, SUPPORTED_EVENTS, triggerEventOf } from './events';
import { parseNumber, parseStructuredNumeric } from './obx-values';
import type { ParsedHl7 } from './parse';
import type { Segment } from './segment';

export interface ValidateOptions {
  timeZone?: string;
  now?: Date;
  registry?: ConceptMapRegistry;
}

/** HL7 versions Kith accepts (issue 5: v2.3 to v2.8; 2.9 is a compatible superset). */
const MIN_VERSION = [2, 3];
const MAX_VERSION = [2, 9];

/** OBX-2 value types the ORU mapper turns into Observation values. */
export const SUPPORTED_VALUE_TYPES = new Set([
  'NM',
  'SN',
  'ST',
  'TX',
  'FT',
  'CE',
  'CWE',
  'CNE',
  'CF',
  'DT',
  'DTM',
  'TS',
]);

/**
 * Content validation of a parsed message: header, supported type and event, required segments and
 * fields, dates, coded values. Each problem names its segment and field so the ACK's ERR segment
 * and the dead letter can point at it. Errors mean "do not map"; warnings mean "mapped without
 * this value".
 */
export function validateHl7(parsed: ParsedHl7, options: ValidateOptions = {}): Hl7Issue[] {
  const out: Hl7Issue[] = [];
  const header = parsed.header;
  if (!header || parsed.segments.length === 0) return out;
  const tz = options.timeZone ?? DEFAULT_TIME_ZONE;
  const registry = options.registry ?? defaultRegistry;
  const now = options.now ?? new Date();
  const push = (
    severity: Severity,
    code: Hl7ErrorCode,
    seg: Segment | { name: string; sequence: number },
    field: number | undefined,
    problem: string,
    value?: string,
  ): void => {
    out.push(hl7Issue(severity, code, { segment: seg.name, sequence: seg.sequence, field }, problem, value));
  };
  const msh = parsed.segments[0];
  const first = (name: string): Segment | undefined => parsed.segments.find((s) => s.name === name);
  const all = (name: string): Segment[] => parsed.segments.filter((s) => s.name === name);

  // --- MSH ---
  if (!header.messageType)
    push('error', HL7_ERROR.requiredFieldMissing, msh, 9, 'MSH-9 message type is missing');
  if (!header.controlId)
    push('error', HL7_ERROR.requiredFieldMissing, msh, 10, 'MSH-10 message control id is missing');
  if (!header.processingId)
    push(
      'warning',
      HL7_ERROR.requiredFieldMissing,
      msh,
      11,
      'MSH-11 processing id is missing; treated as production',
    );
  else if (!['P', 'T', 'D'].includes(header.processingId.toUpperCase()))
    push(
      'error',
      HL7_ERROR.unsupportedProcessingId,
      msh,
      11,
      `processing id ${quote(header.processingId)} is not P, T or D`,
      header.processingId,
    );
  if (!header.version)
    push('warning', HL7_ERROR.requiredFieldMissing, msh, 12, 'MSH-12 version id is missing; read as 2.5');
  else if (!versionSupported(header.version))
    push(
      'error',
      HL7_ERROR.unsupportedVersion,
      msh,
      12,
      `version ${quote(header.version)} is not supported (2.3 to 2.9)`,
      header.version,
    );
  checkDate(msh, 7, 'warning');

  // --- type and event ---
  const evn = first('EVN');
  const type = header.messageType.toUpperCase();
  const event = triggerEventOf(type, header.triggerEvent, evn?.get(1));
  if (header.messageType) {
    if (!SUPPORTED_EVENTS[type]) {
      push(
        'error',
        HL7_ERROR.unsupportedMessageType,
        msh,
        9,
        `message type ${quote(header.messageType)} is not supported (ADT, ORU)`,
        header.messageType,
      );
    } else if (!event) {
      push('error', HL7_ERROR.requiredFieldMissing, msh, 9, 'MSH-9.2 trigger event is missing');
    } else if (!SUPPORTED_EVENTS[type].includes(event)) {
      push(
        'error',
        HL7_ERROR.unsupportedEvent,
        msh,
        9,
        `event ${quote(`${type}^${event}`)} is not supported`,
        event,
      );
    }
  }
  if (out.some((i) => i.severity === 'error')) return out;

  if (type === 'ADT') validateAdt(event);
  else if (type === 'ORU') validateOru();
  return out;

  function validateAdt(ev: string): void {
    if (!evn)
      push(
        'warning',
        HL7_ERROR.segmentSequence,
        { name: 'EVN', sequence: 1 },
        undefined,
        'EVN segment is missing',
      );
    else {
      const evnEvent = evn.get(1).trim().toUpperCase();
      if (evnEvent && header!.triggerEvent && evnEvent !== header!.triggerEvent.toUpperCase())
        push(
          'warning',
          HL7_ERROR.dataType,
          evn,
          1,
          `EVN-1 '${evnEvent}' differs from MSH-9.2 '${header!.triggerEvent}'; MSH-9.2 is used`,
          evnEvent,
        );
      checkDate(evn, 2, 'warning');
      checkDate(evn, 6, 'warning');
    }
    const pids = all('PID');
    if (pids.length === 0) {
      push(
        'error',
        HL7_ERROR.segmentSequence,
        { name: 'PID', sequence: 1 },
        undefined,
        'required PID segment is missing (message truncated?)',
      );
      return;
    }
    for (const pid of pids) checkPid(pid);
    if (ev === 'A40') {
      const mrgs = all('MRG');
      if (mrgs.length === 0)
        push(
          'error',
          HL7_ERROR.segmentSequence,
          { name: 'MRG', sequence: 1 },
          undefined,
          'required MRG segment is missing',
        );
      for (const mrg of mrgs)
        if (!mrg.has(1))
          push('error', HL7_ERROR.requiredFieldMissing, mrg, 1, 'MRG-1 prior patient identifier is missing');
      return;
    }
    const rule = ADT_EVENTS[ev];
    const pv1 = first('PV1');
    if (rule?.encounterStatus && !pv1) {
      push(
        'error',
        HL7_ERROR.segmentSequence,
        { name: 'PV1', sequence: 1 },
        undefined,
        `required PV1 segment is missing for ${ev} (message truncated?)`,
      );
    }
    if (pv1 && rule?.encounterStatus) checkPv1(pv1);
  }

  function validateOru(): void {
    const pid = first('PID');
    if (!pid)
      push(
        'error',
        HL7_ERROR.segmentSequence,
        { name: 'PID', sequence: 1 },
        undefined,
        'PID segment is missing: results cannot be attached to a patient',
      );
    else checkPid(pid);
    const obrs = all('OBR');
    if (obrs.length === 0)
      push(
        'error',
        HL7_ERROR.segmentSequence,
        { name: 'OBR', sequence: 1 },
        undefined,
        'required OBR segment is missing (message truncated?)',
      );
    for (const obr of obrs) {
      if (!obr.has(4))
        push(
          'warning',
          HL7_ERROR.requiredFieldMissing,
          obr,
          4,
          'OBR-4 universal service identifier is missing',
        );
      checkDate(obr, 7, 'warning');
      checkDate(obr, 22, 'warning');
      checkCode(obr, 25, CONCEPT_MAPS.v2ResultStatus, SYSTEMS.v2('0123'), 'result status');
    }
    for (const obx of all('OBX')) checkObx(obx);
  }

  function checkPid(pid: Segment): void {
    if (!pid.has(3) && !pid.has(2))
      push('error', HL7_ERROR.requiredFieldMissing, pid, 3, 'PID-3 patient identifier list is empty');
    const birth = checkDate(pid, 7, 'warning');
    if (birth && birth > now.toISOString().slice(0, 10))
      push('warning', HL7_ERROR.dataType, pid, 7, `birth date ${birth} is in the future`, pid.get(7));
    checkCode(pid, 8, CONCEPT_MAPS.v2Sex, SYSTEMS.v2('0001'), 'administrative sex');
    const ssn = pid.get(19).trim();
    if (ssn && !normalizeSsn(ssn))
      push('warning', HL7_ERROR.dataType, pid, 19, `${quote(ssn)} is not a 9-digit SSN; not mapped`, ssn);
    checkDate(pid, 29, 'warning');
  }

  function checkPv1(pv1: Segment): void {
    if (!pv1.get(2).trim())
      push('warning', HL7_ERROR.requiredFieldMissing, pv1, 2, 'PV1-2 patient class is missing');
    else checkCode(pv1, 2, CONCEPT_MAPS.v2PatientClass, SYSTEMS.v2('0004'), 'patient class', true);
    checkCode(
      pv1,
      36,
      CONCEPT_MAPS.v2DischargeDisposition,
      SYSTEMS.v2('0112'),
      'discharge disposition',
      true,
    );
    checkDate(pv1, 44, 'warning');
    checkDate(pv1, 45, 'warning');
  }

  function checkObx(obx: Segment): void {
    const valueType = obx.get(2).trim().toUpperCase();
    if (!obx.has(3))
      push(
        'warning',
        HL7_ERROR.requiredFieldMissing,
        obx,
        3,
        'OBX-3 observation identifier is missing; observation not mapped',
      );
    checkDate(obx, 14, 'warning');
    checkCode(obx, 11, CONCEPT_MAPS.v2ObservationResultStatus, SYSTEMS.v2('0085'), 'result status');
    if (!obx.has(5)) return;
    if (!valueType) {
      push(
        'warning',
        HL7_ERROR.requiredFieldMissing,
        obx,
        2,
        'OBX-2 value type is missing; the value is not mapped',
      );
      return;
    }
    if (!SUPPORTED_VALUE_TYPES.has(valueType)) {
      push(
        'warning',
        HL7_ERROR.dataType,
        obx,
        2,
        `value type ${quote(valueType)} is not mapped; the observation is kept without its value`,
        valueType,
      );
      return;
    }
    const reps = obx.repetitions(5);
    if (valueType === 'NM') {
      const raw = obx.get(5).trim();
      if (parseNumber(raw) === undefined)
        push('warning', HL7_ERROR.dataType, obx, 5, `${quote(raw)} is not a number (value type NM)`, raw);
      if (reps > 1)
        push(
          'warning',
          HL7_ERROR.dataType,
          obx,
          5,
          `NM value repeats ${reps} times; only the first is mapped`,
          obx.raw(5),
        );
    } else if (valueType === 'SN') {
      if (!parseStructuredNumeric(obx.components(5)))
        push(
          'warning',
          HL7_ERROR.dataType,
          obx,
          5,
          `${quote(obx.raw(5))} is not a structured numeric (SN)`,
          obx.raw(5),
        );
    } else if (valueType === 'DT' || valueType === 'DTM' || valueType === 'TS') {
      checkDate(obx, 5, 'warning');
    }
  }

  function checkDate(seg: Segment, field: number, severity: Severity): string | undefined {
    const raw = seg.get(field).trim();
    if (!raw) return undefined;
    const parsed = parseHl7DateTime(raw, tz);
    if (!parsed.ok) {
      push(severity, HL7_ERROR.dataType, seg, field, `${parsed.problem}; not mapped`, raw);
      return undefined;
    }
    return parsed.date;
  }

  /** A coded field whose table has a shipped ConceptMap: codes the map does not know are reported. */
  function checkCode(
    seg: Segment,
    field: number,
    map: string,
    system: string,
    what: string,
    keepUnmatched = false,
  ): void {
    const code = seg.get(field).trim();
    if (!code) return;
    const result = translate(map, system, code, { registry });
    if (result.match.length === 0) {
      const kept = keepUnmatched ? 'kept as a local code' : 'not mapped';
      push(
        'warning',
        HL7_ERROR.tableValueNotFound,
        seg,
        field,
        `${what} ${quote(code)} is not in HL7 table ${system.slice(-4)}; ${kept}`,
        code,
      );
    }
  }
}

function versionSupported(version: string): boolean {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10));
  if (parts.some((p) => Number.isNaN(p)) || parts.length < 2) return false;
  const cmp = (a: number[], b: number[]): number => a[0] - b[0] || a[1] - b[1];
  return cmp(parts, MIN_VERSION) >= 0 && cmp(parts, MAX_VERSION) <= 0;
}

/** Which ACK code an outcome deserves: AR when the message could not be accepted at all, AE for content errors. */
export function ackCodeFor(issues: readonly Hl7Issue[]): 'AA' | 'AE' | 'AR' {
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length === 0) return 'AA';
  // Rejection: unsupported type/event/processing id/version, or an envelope that cannot be read.
  const reject = errors.some(
    (i) => (i.code >= 200 && i.code <= 203) || i.segment === 'MSH' || i.segment === '',
  );
  return reject ? 'AR' : 'AE';
}
