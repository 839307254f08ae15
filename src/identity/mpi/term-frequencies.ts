import type { Queryable } from '../../store';
import type { TermFrequencySource } from '../matcher';
import type { FieldName } from '../types';

/** One field's value counts as last read: records holding it, sum of squared counts, common values. */
interface FieldStats {
  total: number;
  sumSquares: number;
  counts: Map<string, number>;
}

/**
 * Term-frequency weights for online matching, from the value counts ValueCountBuffer keeps in
 * identity_value_counts, so that agreeing on "GARCIA" counts less than on a rare surname, as in the
 * batch path (score/term-frequency.ts: adjustment log2(S / p(v)) bounded by ±maxAdjustment bits, with
 * S the sum of squared value frequencies).
 *
 * Scoring runs inside Patient writes and must add no round trip: lookups read a per-process snapshot
 * synchronously, and a lookup on a snapshot older than `maxAgeMs` starts one background refresh
 * (never awaited by the write; on PGlite's single connection it simply waits for the write to end).
 *
 * The snapshot holds only values common enough to get less than the full bonus: a value held by c of n
 * records gets log2(sumSquares / (n·c)) bits, which reaches +maxAdjustment once c <= sumSquares / (n·2^max).
 * Every value not in the snapshot is at or below that count, so it gets exactly +maxAdjustment (or, while
 * the counts are small, what a count of 1 gets). This keeps the snapshot small (fewer than 2^max / S
 * values per field) while giving every value the weight the full counts would.
 */
export class TermFrequencyCache {
  private fields = new Map<string, FieldStats>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly maxAdjustment: number,
    private readonly maxAgeMs = 60_000,
  ) {}

  /** The adjustment in bits for an exact agreement on `valueKey`; 0 until counts are known. */
  readonly lookup: TermFrequencySource = (field: FieldName, valueKey: string): number => {
    if (Date.now() - this.loadedAt > this.maxAgeMs) void this.refresh();
    const f = this.fields.get(field);
    if (!f || f.total < 2 || !(f.sumSquares > 0)) return 0;
    const count = Math.max(f.counts.get(valueKey) ?? 1, 1);
    const bits = Math.log2(f.sumSquares / (f.total * count));
    return Math.max(-this.maxAdjustment, Math.min(this.maxAdjustment, bits));
  };

  /** Reads the counts again (one query); concurrent calls share it. Failures keep the old snapshot. */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Resolves when no refresh is running (before the database closes). */
  async settled(): Promise<void> {
    await this.loading;
  }

  private async load(): Promise<void> {
    // Set first: a failing database is not asked again on every lookup, only once per maxAgeMs.
    this.loadedAt = Date.now();
    try {
      const { rows } = await this.db.query(
        `with f as (
           select field, sum(n)::float8 as total, sum(n::float8 * n) as sq
           from identity_value_counts where n > 0 group by field)
         select f.field, f.total, f.sq, v.value_key, v.n
         from f left join identity_value_counts v
           on v.field = f.field and v.n > 0 and v.n > f.sq / (f.total * $1::float8)`,
        [2 ** this.maxAdjustment],
      );
      const fields = new Map<string, FieldStats>();
      for (const r of rows) {
        let f = fields.get(r.field);
        if (!f)
          fields.set(r.field, (f = { total: Number(r.total), sumSquares: Number(r.sq), counts: new Map() }));
        if (r.value_key !== null) f.counts.set(r.value_key, Number(r.n));
      }
      this.fields = fields;
    } catch {
      // The database is closing or away: the snapshot before stays, and the next refresh tries again.
    }
  }
}
