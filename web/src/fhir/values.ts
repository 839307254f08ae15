import type { Coding, Observation, ObservationComponent, Quantity } from '@medplum/fhirtypes';
import {
  formatConcept,
  formatDate,
  formatNumber,
  formatPeriod,
  formatQuantity,
  formatRange,
  humanize,
  joinText,
} from './format';

/** Values of choice types (`value[x]`, `onset[x]`, `effective[x]` ...) as readable text. */

const UCUM_READABLE: Record<string, string> = {
  'mm[Hg]': 'mmHg',
  Cel: '°C',
  '[degF]': '°F',
  '[lb_av]': 'lb',
  '[in_i]': 'in',
  'kg/m2': 'kg/m²',
  '/min': 'per min',
  '10*3/uL': '× 10³/µL',
  '10*6/uL': '× 10⁶/µL',
  '10*9/L': '× 10⁹/L',
  '10*12/L': '× 10¹²/L',
  uL: 'µL',
  ug: 'µg',
  'ug/dL': 'µg/dL',
  'ug/L': 'µg/L',
};

function readableQuantity(q: Quantity | undefined): string | undefined {
  if (!q) return undefined;
  const unit = q.unit ?? q.code;
  return formatQuantity(unit && UCUM_READABLE[unit] ? { ...q, unit: UCUM_READABLE[unit] } : q);
}

type ValueHolder = Pick<
  ObservationComponent,
  | 'valueQuantity'
  | 'valueCodeableConcept'
  | 'valueString'
  | 'valueBoolean'
  | 'valueInteger'
  | 'valueRange'
  | 'valueRatio'
  | 'valueTime'
  | 'valueDateTime'
  | 'valuePeriod'
  | 'dataAbsentReason'
>;

/** The value of an Observation or one of its components. */
export function formatValue(v: ValueHolder): string | undefined {
  if (v.valueQuantity) return readableQuantity(v.valueQuantity);
  if (v.valueCodeableConcept) return formatConcept(v.valueCodeableConcept);
  if (v.valueString !== undefined) return v.valueString;
  if (v.valueBoolean !== undefined) return v.valueBoolean ? 'Yes' : 'No';
  if (v.valueInteger !== undefined) return String(v.valueInteger);
  if (v.valueRange) return formatRange(v.valueRange);
  if (v.valueRatio) {
    const num = readableQuantity(v.valueRatio.numerator);
    const den = readableQuantity(v.valueRatio.denominator);
    return num && den ? `${num} / ${den}` : num;
  }
  if (v.valueTime) return v.valueTime.slice(0, 5);
  if (v.valueDateTime) return formatDate(v.valueDateTime);
  if (v.valuePeriod) return formatPeriod(v.valuePeriod);
  if (v.dataAbsentReason) return `No value (${formatConcept(v.dataAbsentReason)?.toLowerCase() ?? 'absent'})`;
  return undefined;
}

const SYSTOLIC = '8480-6';
const DIASTOLIC = '8462-4';

function hasCode(codings: Coding[] | undefined, code: string): boolean {
  return (codings ?? []).some((c) => c.code === code);
}

/** An Observation's value: its own, "120/80 mmHg" for blood pressure, or "Label: value; ..." of components. */
export function observationValue(obs: Observation): string | undefined {
  const own = formatValue(obs);
  if (own) return own;
  const parts = obs.component ?? [];
  const sys = parts.find((c) => hasCode(c.code.coding, SYSTOLIC))?.valueQuantity;
  const dia = parts.find((c) => hasCode(c.code.coding, DIASTOLIC))?.valueQuantity;
  if (sys?.value !== undefined && dia?.value !== undefined) {
    const unit = readableQuantity({ value: 0, unit: sys.unit ?? sys.code })?.replace(/^0\s*/, '');
    return `${formatNumber(sys.value)}/${formatNumber(dia.value)}${unit ? ` ${unit}` : ''}`;
  }
  return joinText(
    parts.map((c) => {
      const value = formatValue(c);
      return value ? `${formatConcept(c.code) ?? 'Value'}: ${value}` : undefined;
    }),
    '; ',
  );
}

interface OnsetHolder {
  onsetDateTime?: string;
  onsetPeriod?: { start?: string; end?: string };
  onsetAge?: Quantity;
  onsetRange?: { low?: Quantity; high?: Quantity };
  onsetString?: string;
}

/** Onset (or abatement, with the same shape) of a Condition or AllergyIntolerance. */
export function formatOnset(o: OnsetHolder): string | undefined {
  if (o.onsetDateTime) return formatDate(o.onsetDateTime);
  if (o.onsetPeriod) return formatPeriod(o.onsetPeriod);
  if (o.onsetAge) return `at age ${formatQuantity(o.onsetAge)}`;
  if (o.onsetRange) return `at age ${formatRange(o.onsetRange)}`;
  return o.onsetString;
}

/** A status code as a label: "in-progress" → "In progress". */
export function statusLabel(code: string | undefined): string | undefined {
  return humanize(code);
}

export type StatusTone = 'active' | 'done' | 'pending' | 'stopped' | 'neutral';

const TONES: Record<string, StatusTone> = {};
for (const c of [
  'active',
  'in-progress',
  'accepted',
  'requested',
  'planned',
  'arrived',
  'triaged',
  'received',
  'ready',
])
  TONES[c] = 'active';
for (const c of [
  'finished',
  'completed',
  'final',
  'amended',
  'corrected',
  'resolved',
  'inactive',
  'remission',
  'achieved',
])
  TONES[c] = 'done';
for (const c of [
  'draft',
  'proposed',
  'on-hold',
  'preliminary',
  'registered',
  'waitlist',
  'suspended',
  'recurrence',
])
  TONES[c] = 'pending';
for (const c of [
  'cancelled',
  'entered-in-error',
  'rejected',
  'failed',
  'stopped',
  'revoked',
  'refuted',
  'not-done',
  'abandoned',
])
  TONES[c] = 'stopped';

export function statusTone(code: string | undefined): StatusTone {
  return (code && TONES[code]) || 'neutral';
}
