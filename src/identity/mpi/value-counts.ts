import type { Queryable } from '../../store';
import type { Matcher } from '../matcher';
import type { MatchRecord } from '../types';
import { recordKeys } from './record-keys';

/**
 * Value frequency counts (how many records hold given name "maria") change on every Patient write.
 * Updating them inside the write made every concurrent writer queue on a few hot rows (a common first
 * name, a big city) until the writer's commit. They are statistics for term-frequency weights, not
 * facts, so deltas are summed in memory and written in the background in one statement; a write that
 * rolls back may leave its delta counted, which only nudges a weight.
 */
export class ValueCountBuffer {
  private pending = new Map<string, { field: string; value: string; d: number }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Queryable,
    private readonly delayMs = 250,
  ) {}

  /** Counts `record` in and `previous` out. */
  change(matcher: Matcher, record: MatchRecord | undefined, previous: MatchRecord | undefined): void {
    const add = (r: MatchRecord | undefined, d: number): void => {
      if (!r) return;
      for (const [field, value] of recordKeys(matcher, r).frequency) {
        const k = `${field}\u0000${value}`;
        const e = this.pending.get(k) ?? { field, value, d: 0 };
        e.d += d;
        this.pending.set(k, e);
      }
    };
    add(previous, -1);
    add(record, +1);
    this.timer ??= setTimeout(() => void this.flush(), this.delayMs).unref();
  }

  /** Writes what is pending; resolves when it (and any flush before it) is stored. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending.values()].filter((e) => e.d !== 0);
    this.pending = new Map();
    if (batch.length === 0) return this.flushing;
    // Sorted so two nodes flushing at once take the rows' locks in one order.
    batch.sort((a, b) => (a.field + a.value < b.field + b.value ? -1 : 1));
    this.flushing = this.flushing.then(() =>
      this.db
        .query(
          `insert into identity_value_counts (field, value_key, n)
           select f, v, d from unnest($1::text[], $2::text[], $3::int[]) as t(f, v, d)
           on conflict (field, value_key) do update set n = identity_value_counts.n + excluded.n`,
          [batch.map((e) => e.field), batch.map((e) => e.value), batch.map((e) => e.d)],
        )
        .then(
          () => undefined,
          () => {
            // The database is closing or away: keep the deltas for the next flush.
            for (const e of batch) {
              const k = `${e.field}\u0000${e.value}`;
              const cur = this.pending.get(k) ?? { ...e, d: 0 };
              cur.d += e.d;
              this.pending.set(k, cur);
            }
          },
        ),
    );
    return this.flushing;
  }
}
