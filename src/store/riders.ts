import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Resource } from '@medplum/fhirtypes';
import type { Queryable, StoredVersion } from './repository';

/**
 * A data-modifying statement (one INSERT, UPDATE or DELETE, parameters `$1..$n`) whose effect nothing
 * in its transaction reads before the next statement: an audit row, an identity link. It rides as a
 * CTE in the transaction's next version write instead of costing a round trip of its own; on this
 * machine a round trip (a socket write and read on each side) costs more CPU than most statements.
 */
export interface WriteRider {
  sql: string;
  values: unknown[];
  /**
   * The row it changes (e.g. `identity_links:<patient>`). Two riders of one key never share a
   * statement: CTEs see one snapshot, so the second would not see the first's row.
   */
  key?: string;
  /**
   * The same write in a form that writes the rows of many riders at once (see `ManyForm`): the
   * riders of one `many.sql` in a statement go as one CTE, so the statement's text (and its plan)
   * does not change with how many writes a batch carries.
   */
  many?: ManyForm;
}

/**
 * A rider's statement over arrays: `$j` is the array of the j-th value of every rider of this `sql`
 * in the statement, in their order (type it in the SQL, e.g. `unnest($1::text[], $2::int[])`), and
 * `values` are this rider's elements. A read's form yields a JSON array, element i for the i-th rider.
 */
export interface ManyForm {
  sql: string;
  values: unknown[];
}

/**
 * A scalar read (parameters `$1..$n`) that rides in the select list of one resource's version write,
 * so the after-write hook that needs it finds it in `WriteResult.companions[name]` for free. It may
 * take locks (advisory locks): they are held from that statement on. A hook must still work when it
 * is absent (writes that take another path), by querying itself.
 */
export interface ReadRider {
  name: string;
  sql: string;
  values: unknown[];
  /** As a write rider's (see `ManyForm`): one result column for the reads of one `many.sql`. */
  many?: ManyForm;
}

/** `$n` placeholders shifted by `offset`, so a rider's parameters follow the host statement's. */
export function shiftParams(sql: string, offset: number): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}

/** The one connection of a transaction, holding the riders that wait for its next version write. */
export class TxConnection implements Queryable {
  private writes: WriteRider[] = [];
  private readonly reads = new Map<string, ReadRider[]>();
  /** The last version this transaction wrote of each resource, by `Type/id` (see `writtenInTransaction`). */
  readonly written = new Map<string, StoredVersion>();
  /**
   * While set, an update whose current row its caller already locked (`WriteOptions.current`: the
   * identity module's Person rewrites) is not written at once but kept in `deferred`, by `Type/id`,
   * until the store writes them all in one statement (see FhirStore.updateMany).
   */
  deferring = false;
  readonly deferred = new Map<
    string,
    { resource: Resource; versionId: number; previous: Resource | undefined; lastUpdated: string }
  >();

  /**
   * New resources whose create waits (see FhirStore.createLater): written in the transaction's next
   * `createMany` statement, or by `writePending` before any other statement and at commit.
   */
  pendingCreates: { resource: Resource; lastUpdated: string }[] = [];
  /** Writes `pendingCreates` (and runs their hooks); set by the store that queued them. */
  writePending: (() => Promise<void>) | undefined;

  constructor(private readonly client: Queryable) {}

  /** The waiting creates, taken to be written now by the caller. */
  takePendingCreates(): { resource: Resource; lastUpdated: string }[] {
    const pending = this.pendingCreates;
    this.pendingCreates = [];
    return pending;
  }

  /** Writes the waiting creates now (before a statement that might read them). */
  async writePendingCreates(): Promise<void> {
    if (this.pendingCreates.length > 0) await this.writePending?.();
  }

  /** Queues a write rider; it runs before (or with) the transaction's next statement, never later. */
  async ride(rider: WriteRider): Promise<void> {
    if (rider.key && this.writes.some((w) => w.key === rider.key)) await this.flush();
    this.writes.push(rider);
  }

  /** Queues a read for the version write of `resourceType/id` (dropped if that write never comes). */
  rideWith(resourceType: string, id: string, rider: ReadRider): void {
    const key = `${resourceType}/${id}`;
    const list = this.reads.get(key) ?? [];
    list.push(rider);
    this.reads.set(key, list);
  }

  /** What a version write of `resourceType/id` carries: every queued write, and that resource's reads. */
  take(resourceType: string, id: string): { writes: WriteRider[]; reads: ReadRider[] } {
    const key = `${resourceType}/${id}`;
    const reads = this.reads.get(key) ?? [];
    this.reads.delete(key);
    const writes = this.writes;
    this.writes = [];
    return { writes, reads };
  }

  async query<R extends pg.QueryResultRow = any>(
    sql: string | pg.QueryConfig,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    await this.writePendingCreates();
    await this.flush();
    return this.client.query<R>(sql, params);
  }

  /** A statement that carries riders itself (see `take`): runs without flushing first. */
  queryCarrying<R extends pg.QueryResultRow = any>(config: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    return this.client.query<R>(config);
  }

  /**
   * A read (its CTEs and its select, parameters from `$1`) that carries the queued write riders as
   * CTEs before its own, a round trip fewer, when `carries` accepts every one of them; otherwise
   * they run first, alone. The read's CTEs see the snapshot before the carried writes, so a caller
   * must accept only riders whose rows it adds to what it reads itself.
   */
  async readCarryingWrites<R extends pg.QueryResultRow = any>(
    read: { name: string; ctes: string[]; select: string; values: unknown[] },
    carries: (rider: WriteRider) => boolean,
  ): Promise<pg.QueryResult<R>> {
    await this.writePendingCreates();
    if (this.writes.length === 0 || !this.writes.every(carries)) {
      await this.flush();
      return this.client.query<R>({
        name: read.name,
        text: `with ${read.ctes.join(',\n')} ${read.select}`,
        values: read.values,
      });
    }
    const writes = this.writes;
    this.writes = [];
    const carried = riderCtes(writes, read.values.length);
    const text = `with ${[...carried.ctes, ...read.ctes].join(',\n')} ${read.select}`;
    return this.client.query<R>({
      name: riderStatementName(text),
      text,
      values: [...read.values, ...carried.values],
    });
  }

  /** Runs the queued write riders now, in one statement (before another statement, or at commit). */
  async flush(): Promise<void> {
    // A waiting create carries the riders queued before it, as it would have when written at once.
    await this.writePendingCreates();
    if (this.writes.length === 0) return;
    const writes = this.writes;
    this.writes = [];
    const { ctes, values } = riderCtes(writes, 0);
    const text = `with ${ctes.join(',\n')} select 1`;
    await this.client.query({ name: riderStatementName(text), text, values });
  }
}

/**
 * The riders as CTEs `w0, w1, ...` with their parameters numbered from `offset + 1`: those with a
 * `many` form one CTE per form (at the place of its first rider), the others one CTE each.
 */
export function riderCtes(writes: WriteRider[], offset: number): { ctes: string[]; values: unknown[] } {
  const ctes: string[] = [];
  const values: unknown[] = [];
  for (const group of groupByMany(writes)) {
    const many = group[0].many;
    const sql = many ? many.sql : group[0].sql;
    ctes.push(`w${ctes.length} as (${shiftParams(sql, offset + values.length)})`);
    values.push(...(many ? columnsOf(group) : group[0].values));
  }
  return { ctes, values };
}

/**
 * The read riders as result expressions, parameters numbered from `offset + 1`, and where each
 * rider's value is: result column `c<column>`, or element `index` of that column's JSON array when
 * it went with others of its `many` form. `reads` is a list per resource (or type), kept as such.
 */
export function readColumns(
  reads: ReadRider[][],
  offset: number,
): { expressions: string[]; values: unknown[]; at: { column: number; index?: number }[][] } {
  const expressions: string[] = [];
  const values: unknown[] = [];
  // Each rider with its place (list, position), so a rider object listed twice gets both places.
  const placed = reads.flatMap((list, k) => list.map((r, i) => ({ many: r.many, r, k, i })));
  const at: { column: number; index?: number }[][] = reads.map(() => []);
  for (const group of groupByMany(placed)) {
    const many = group[0].many;
    expressions.push(shiftParams(many ? many.sql : group[0].r.sql, offset + values.length));
    values.push(...(many ? columnsOf(group) : group[0].r.values));
    const column = expressions.length - 1;
    group.forEach((p, index) => (at[p.k][p.i] = many ? { column, index } : { column }));
  }
  return { expressions, values, at };
}

/** Riders in order of first appearance, those of one `many.sql` together, each other one alone. */
function groupByMany<R extends { many?: ManyForm }>(riders: R[]): R[][] {
  const groups: R[][] = [];
  const bySql = new Map<string, R[]>();
  for (const r of riders) {
    if (!r.many) {
      groups.push([r]);
      continue;
    }
    const group = bySql.get(r.many.sql);
    if (group) group.push(r);
    else {
      const fresh = [r];
      bySql.set(r.many.sql, fresh);
      groups.push(fresh);
    }
  }
  return groups;
}

/** A `many` group's parameters: the array of every rider's j-th value, for each j. */
function columnsOf(group: { many?: ManyForm }[]): unknown[][] {
  const width = group[0].many?.values.length ?? 0;
  return Array.from({ length: width }, (_, j) => group.map((r) => r.many?.values[j] ?? null));
}

const names = new Map<string, string>();
function riderStatementName(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    name = `kith_r${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
    names.set(sql, name);
  }
  return name;
}

/** Rides when `db` is a transaction's connection; otherwise runs the statement now. */
export async function rideOrRun(
  db: { query(sql: string, params?: unknown[]): Promise<unknown> },
  rider: WriteRider,
): Promise<void> {
  if (db instanceof TxConnection) await db.ride(rider);
  else await db.query(rider.sql, rider.values);
}
