import type { Identifier } from '../fhir/types';
import { HL7_ERROR } from '../issues';
import type { Hl7Context } from './context';
import { cxToIdentifier } from './datatypes';
import { patientFromPid } from './map-patient';
import type { Segment } from './segment';

/**
 * ADT^A40 (merge patient, patient identifier list). Each PID/MRG pair says: the record identified
 * by MRG-1 is retired into the one identified by PID-3. Kith does not merge here — identity
 * resolution owns that — it emits a merge instruction per pair, plus the survivor's current
 * demographics from PID.
 */
export function mapMerge(ctx: Hl7Context): void {
  const pairs: { pid: Segment; mrg?: Segment }[] = [];
  for (const seg of ctx.segments) {
    if (seg.name === 'PID') pairs.push({ pid: seg });
    else if (seg.name === 'MRG' && pairs.length > 0 && !pairs[pairs.length - 1].mrg)
      pairs[pairs.length - 1].mrg = seg;
  }
  for (const { pid, mrg } of pairs) {
    if (!mrg) {
      ctx.issue(
        'error',
        HL7_ERROR.segmentSequence,
        pid,
        undefined,
        'PID has no MRG segment after it: nothing to merge',
      );
      continue;
    }
    const survivor = patientFromPid(ctx, pid);
    if (!survivor) continue;
    const retired: Identifier[] = [];
    for (let r = 1; r <= mrg.repetitions(1); r++) {
      const id = cxToIdentifier(ctx, mrg, 1, r, 'patient-id');
      if (id) retired.push(id);
    }
    if (retired.length === 0) {
      ctx.issue('error', HL7_ERROR.requiredFieldMissing, mrg, 1, 'MRG-1 prior patient identifier is empty');
      continue;
    }
    if (retired.some((id) => id.system === survivor.key.system && id.value === survivor.key.value)) {
      ctx.issue(
        'error',
        HL7_ERROR.dataType,
        mrg,
        1,
        `MRG-1 names the surviving patient ${survivor.key.value} itself`,
      );
      continue;
    }
    const added = ctx.builder.add(survivor.patient, survivor.key, ctx.origin(pid));
    ctx.builder.merges.push({
      survivor: survivor.key,
      survivorKey: added.key,
      retired,
      origin: ctx.origin(mrg),
    });
  }
}
