import type { Hl7Segment } from '@medplum/core';
import { unescapeHl7, type Delimiters } from './escape';

/**
 * Read access to one parsed segment with HL7's own 1-based numbering (PID-3[2].4.1 is field 3,
 * repetition 2, component 4, subcomponent 1), decoding escape sequences on the way out.
 * Medplum's Hl7Segment keeps components raw, numbers MSH fields specially and returns undefined
 * past the last field; this wrapper hides those differences from the mappers.
 */
export class Segment {
  constructor(
    readonly name: string,
    /** Occurrence of this segment id in the message, 1-based (ERR-2.2 "segment sequence"). */
    readonly sequence: number,
    /** Position in the message, 0-based (MSH is 0). */
    readonly index: number,
    private readonly fields: string[][][],
    private readonly delimiters: Delimiters,
  ) {}

  static fromMedplum(seg: Hl7Segment, sequence: number, index: number, d: Delimiters): Segment {
    const raw = seg.fields.map((f) => f.components);
    // Medplum stores MSH-2 at fields[1]; shift so that fields[n] is always field n (MSH-1 is the separator).
    const fields = seg.name === 'MSH' ? [raw[0], [[d.field]], ...raw.slice(1)] : raw;
    return new Segment(seg.name, sequence, index, fields, d);
  }

  /** Number of repetitions present in field n (0 when the field is empty or absent). */
  repetitions(n: number): number {
    const reps = this.fields[n];
    if (!reps) return 0;
    return reps.some((r) => r.some((c) => c !== '')) ? reps.length : 0;
  }

  /** Component `c` (default 1) of repetition `r` (default 1) of field n, unescaped; '' when absent. */
  get(n: number, c = 1, r = 1, sub?: number): string {
    const raw = this.fields[n]?.[r - 1]?.[c - 1] ?? '';
    if (sub === undefined) return unescapeHl7(stripNull(raw), this.delimiters);
    const parts = raw.split(this.delimiters.subcomponent);
    return unescapeHl7(stripNull(parts[sub - 1] ?? ''), this.delimiters);
  }

  /** All components of repetition r of field n, unescaped (subcomponents still joined). */
  components(n: number, r = 1): string[] {
    return (this.fields[n]?.[r - 1] ?? []).map((c) => unescapeHl7(stripNull(c), this.delimiters));
  }

  /** Subcomponents of component c of repetition r of field n, unescaped. */
  subcomponents(n: number, c: number, r = 1): string[] {
    const raw = this.fields[n]?.[r - 1]?.[c - 1] ?? '';
    return raw.split(this.delimiters.subcomponent).map((s) => unescapeHl7(stripNull(s), this.delimiters));
  }

  /** The field as it appeared on the wire (for quoting it in an error message). */
  raw(n: number): string {
    const reps = this.fields[n];
    if (!reps) return '';
    return reps.map((r) => r.join(this.delimiters.component)).join(this.delimiters.repetition);
  }

  has(n: number): boolean {
    return this.repetitions(n) > 0;
  }

  /** Number of fields present after the segment name. */
  get fieldCount(): number {
    return this.fields.length - 1;
  }
}

// '""' is HL7's explicit null ("delete this value"); for a full-replace mapping it reads as empty.
const stripNull = (s: string): string => (s === '""' ? '' : s);
