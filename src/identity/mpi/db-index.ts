import type { Queryable } from '../../store';
import type { BlockingKey, Matcher } from '../matcher';
import type { BlockingIndex } from '../online';
import type { MatchRecord } from '../types';

/** BlockingIndex over the identity_keys and identity_records tables, on one connection/transaction. */
export class DbBlockingIndex implements BlockingIndex {
  constructor(private readonly db: Queryable) {}

  async lookup(key: BlockingKey, limit: number): Promise<string[]> {
    const { rows } = await this.db.query(
      'select patient_id from identity_keys where key = $1 and value = $2 limit $3',
      [key.key, key.value, limit],
    );
    return rows.map((r) => r.patient_id as string);
  }

  async get(ids: string[]): Promise<MatchRecord[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query(
      'select record from identity_records where patient_id = any($1::text[])',
      [ids],
    );
    return rows.map((r) => (typeof r.record === 'string' ? JSON.parse(r.record) : r.record) as MatchRecord);
  }
}

/** Replaces a record's blocking keys and keeps the value frequency counts in step. */
export async function indexRecord(
  db: Queryable,
  matcher: Matcher,
  record: MatchRecord,
  previous: MatchRecord | undefined,
): Promise<void> {
  await db.query('delete from identity_keys where patient_id = $1', [record.id]);
  const keys = matcher.blockingKeys(record);
  if (keys.length) {
    await db.query(
      `insert into identity_keys (patient_id, key, value)
       select $1, k, v from unnest($2::text[], $3::text[]) as t(k, v) on conflict do nothing`,
      [record.id, keys.map((k) => k.key), keys.map((k) => k.value)],
    );
  }
  const delta = new Map<string, { field: string; value: string; d: number }>();
  const add = (r: MatchRecord | undefined, d: number): void => {
    if (!r) return;
    for (const [field, value] of matcher.frequencyKeys(r)) {
      const k = `${field}\u0000${value}`;
      const e = delta.get(k) ?? { field, value, d: 0 };
      e.d += d;
      delta.set(k, e);
    }
  };
  add(previous, -1);
  add(record, +1);
  // Sorted so concurrent writers take the count rows' locks in one order.
  const changed = [...delta]
    .filter(([, e]) => e.d !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => e);
  if (changed.length) {
    await db.query(
      `insert into identity_value_counts (field, value_key, n)
       select f, v, d from unnest($1::text[], $2::text[], $3::int[]) as t(f, v, d)
       on conflict (field, value_key) do update set n = identity_value_counts.n + excluded.n`,
      [changed.map((e) => e.field), changed.map((e) => e.value), changed.map((e) => e.d)],
    );
  }
}
