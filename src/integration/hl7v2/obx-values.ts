import { SYSTEMS } from '../../terminology';
import type { Observation, Quantity } from '../fhir/types';
import { parseHl7DateTime } from '../time';
import type { Hl7Context } from './context';
import { cweToConcept } from './datatypes';
import type { Segment } from './segment';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** A decimal as HL7 NM writes it, or undefined. Exponents and thousands separators are not NM. */
export function parseNumber(raw: string): number | undefined {
  const t = raw.trim();
  return NUMBER.test(t) ? Number(t) : undefined;
}

export type StructuredNumeric =
  | { kind: 'quantity'; value: number; comparator?: Quantity['comparator'] }
  | { kind: 'range'; low: number; high: number }
  | { kind: 'ratio'; numerator: number; denominator: number };

/** SN: comparator ^ num1 ^ separator/suffix ^ num2, e.g. '<^5', '^10^-^20', '^1^:^128'. */
export function parseStructuredNumeric(components: string[]): StructuredNumeric | undefined {
  const [comparator = '', n1 = '', sep = '', n2 = ''] = components.map((c) => c.trim());
  const a = parseNumber(n1);
  if (a === undefined) return undefined;
  if (!sep && !n2) {
    if (comparator && !['<', '<=', '>', '>=', '=', '<>'].includes(comparator)) return undefined;
    const cmp =
      comparator === '<' || comparator === '<=' || comparator === '>' || comparator === '>='
        ? comparator
        : undefined;
    return cmp ? { kind: 'quantity', value: a, comparator: cmp } : { kind: 'quantity', value: a };
  }
  const b = parseNumber(n2);
  if (b === undefined) return undefined;
  if (sep === '-') return { kind: 'range', low: a, high: b };
  if (sep === ':' || sep === '/') return { kind: 'ratio', numerator: a, denominator: b };
  return undefined;
}

/** OBX-6 units: code ^ text ^ system. UCUM-coded units also get the UCUM system. */
export function unitsOf(obx: Segment): Pick<Quantity, 'unit' | 'system' | 'code'> {
  const code = obx.get(6, 1).trim();
  const text = obx.get(6, 2).trim();
  const system = obx.get(6, 3).trim().toUpperCase();
  const out: Pick<Quantity, 'unit' | 'system' | 'code'> = {};
  if (text || code) out.unit = text || code;
  if (code && system === 'UCUM') {
    out.system = SYSTEMS.ucum;
    out.code = code;
  }
  return out;
}

/**
 * Sets the Observation value from OBX-2/OBX-5. Returns false when there is no value to set or
 * the type is not mapped (validateHl7 has already reported why).
 */
export function setObservationValue(ctx: Hl7Context, obx: Segment, obs: Observation): boolean {
  const type = obx.get(2).trim().toUpperCase();
  if (!obx.has(5)) return false;
  const units = unitsOf(obx);
  switch (type) {
    case 'NM': {
      const value = parseNumber(obx.get(5));
      if (value === undefined) return false;
      obs.valueQuantity = { value, ...units };
      return true;
    }
    case 'SN': {
      const sn = parseStructuredNumeric(obx.components(5));
      if (!sn) return false;
      if (sn.kind === 'quantity')
        obs.valueQuantity = {
          value: sn.value,
          ...(sn.comparator ? { comparator: sn.comparator } : {}),
          ...units,
        };
      else if (sn.kind === 'range')
        obs.valueRange = { low: { value: sn.low, ...units }, high: { value: sn.high, ...units } };
      else obs.valueRatio = { numerator: { value: sn.numerator }, denominator: { value: sn.denominator } };
      return true;
    }
    case 'ST':
    case 'TX':
    case 'FT': {
      // Repetitions of a text value are lines of one text.
      const lines: string[] = [];
      for (let r = 1; r <= obx.repetitions(5); r++) lines.push(obx.components(5, r).join(' ').trimEnd());
      const text = lines.join('\n').trim();
      if (!text) return false;
      obs.valueString = text;
      return true;
    }
    case 'CE':
    case 'CWE':
    case 'CNE':
    case 'CF': {
      const concept = cweToConcept(ctx, obx, 5);
      if (!concept) return false;
      obs.valueCodeableConcept = concept;
      return true;
    }
    case 'DT':
    case 'DTM':
    case 'TS': {
      const parsed = parseHl7DateTime(obx.get(5), ctx.timeZone);
      if (!parsed.ok) return false;
      obs.valueDateTime = parsed.value;
      return true;
    }
    default:
      return false;
  }
}

/** OBX-7 reference range: 'low-high', '<high', '>low', else kept as text. */
export function referenceRange(obx: Segment): Observation['referenceRange'] {
  const raw = obx.get(7).trim();
  if (!raw) return undefined;
  const units = unitsOf(obx);
  const between = /^([+-]?\d+(?:\.\d+)?)\s*-\s*([+-]?\d+(?:\.\d+)?)$/.exec(raw);
  if (between)
    return [
      {
        low: { value: Number(between[1]), ...units },
        high: { value: Number(between[2]), ...units },
        text: raw,
      },
    ];
  const below = /^<=?\s*([+-]?\d+(?:\.\d+)?)$/.exec(raw);
  if (below) return [{ high: { value: Number(below[1]), ...units }, text: raw }];
  const above = /^>=?\s*([+-]?\d+(?:\.\d+)?)$/.exec(raw);
  if (above) return [{ low: { value: Number(above[1]), ...units }, text: raw }];
  return [{ text: raw }];
}
