import { HL7_ERROR } from '../issues';
import { refTo } from '../result';
import type { Hl7Context } from './context';
import { ADT_EVENTS } from './events';
import { encounterFromPv1 } from './map-encounter';
import { patientFromPid } from './map-patient';

/**
 * ADT A01, A02, A03, A04, A05, A08, A11, A13, A28, A31: the Patient from PID, and for the
 * visit-level events the Encounter from PV1, with the status the event implies (events.ts).
 */
export function mapAdt(ctx: Hl7Context, event: string): void {
  const rule = ADT_EVENTS[event];
  const pid = ctx.first('PID');
  if (!rule || !pid) return; // validateHl7 has refused the message already
  const mapped = patientFromPid(ctx, pid);
  if (!mapped) return;
  ctx.builder.add(mapped.patient, mapped.key, ctx.origin(pid));
  if (!rule.encounterStatus) return;
  const pv1 = ctx.first('PV1');
  if (!pv1) {
    ctx.issue(
      'warning',
      HL7_ERROR.segmentSequence,
      pid,
      undefined,
      `no PV1 segment: the ${event} encounter is not mapped`,
    );
    return;
  }
  const encounter = encounterFromPv1(ctx, pv1, pid, mapped.key, refTo('Patient', mapped.key), rule);
  if (encounter) ctx.builder.add(encounter.encounter, encounter.key, ctx.origin(pv1));
}
