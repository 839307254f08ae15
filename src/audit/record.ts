import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '@medplum/fhirtypes';
import { rideOrRun } from '../store/riders';
import { chainHash, clean } from './canonical';
import { actionOf, buildAuditEvent, patientsOf, type AuditInput } from './event';

/** Anything that runs SQL: the Database, its pool, or a client inside a caller's transaction. */
export interface Sql {
  query(
    sql: string | { name?: string; text: string; values?: unknown[] },
    params?: unknown[],
  ): Promise<{ rows: any[] }>;
}

/** Something with transactions: the Database. */
export interface TransactionalSql extends Sql {
  transaction<T>(fn: (client: Sql) => Promise<T>): Promise<T>;
}

export interface RecordedAudit {
  seq: number;
  id: string;
  hash: string;
}

interface Prepared {
  event: AuditEvent;
  canonical: string;
  patients: string[];
  action: string;
  outcome: string;
}

function prepare(input: AuditInput | AuditEvent): Prepared {
  const built =
    (input as AuditEvent).resourceType === 'AuditEvent'
      ? { ...(input as AuditEvent) }
      : buildAuditEvent(input as AuditInput);
  built.id ??= randomUUID();
  built.recorded ??= new Date().toISOString();
  // What is hashed is exactly what is stored, so a verifier reading it back gets the same text.
  const event = clean(built) as AuditEvent;
  const canonical = JSON.stringify(event);
  return {
    event,
    canonical,
    patients: patientsOf(event),
    action: actionOf(event),
    outcome: event.outcome ?? '0',
  };
}

// One statement: advance the head (its row lock orders concurrent appends; SET reads the old
// row, so prev_hash gets the old hash) and insert the event with the new hash, all computed by
// PostgreSQL as SHA-256(prev_hash || canonical JSON), the same as `chainHash`.
const APPEND_SQL = `
with head as (
  update audit_head set
    seq = seq + 1,
    prev_hash = hash,
    prev_id = last_id,
    last_id = $1::text,
    hash = encode(sha256(convert_to(hash || $2::text, 'UTF8')), 'hex')
  where id = 1
  returning seq, prev_hash, hash, prev_id
)
insert into audit_events (seq, id, recorded, action, outcome, patients, event, prev_id, prev_hash, hash)
select head.seq, $1::text, $3::timestamptz, $4::text, $6::text, $5::text[], $2::text, head.prev_id, head.prev_hash, head.hash
from head
returning seq, hash`;

// Several events in one statement, each chained to the one before by a recursive step (the same
// hash as APPEND_SQL's, event by event): the head's row lock orders it against other appenders,
// and there is no transaction to open and close around it. Events come as parallel arrays in
// order; patients joined by U+001F, event texts by U+001E (canonical JSON escapes both).
const APPEND_MANY_SQL = `
with recursive
input as (
  select * from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[],
                       string_to_array($6::text, chr(30)))
    with ordinality as u(id, recorded, action, outcome, patients, event, ord)
),
head as (select seq, hash, last_id from audit_head where id = 1 for update),
chain as (
  select 0::bigint as ord, seq, last_id as id, null::text as prev_id, null::text as prev_hash, hash from head
  union all
  select c.ord + 1, c.seq + 1, i.id, c.id, c.hash, encode(sha256(convert_to(c.hash || i.event, 'UTF8')), 'hex')
  from chain c join input i on i.ord = c.ord + 1
),
ins as (
  insert into audit_events (seq, id, recorded, action, outcome, patients, event, prev_id, prev_hash, hash)
  select c.seq, i.id, i.recorded, i.action, i.outcome,
         case when i.patients = '' then '{}'::text[] else string_to_array(i.patients, chr(31)) end,
         i.event, c.prev_id, c.prev_hash, c.hash
  from chain c join input i on i.ord = c.ord
  returning seq, id, hash
),
last as (select * from chain order by ord desc limit 1),
moved as (
  update audit_head h set seq = last.seq, hash = last.hash, prev_hash = last.prev_hash,
    last_id = last.id, prev_id = last.prev_id
  from last where h.id = 1 and last.ord > 0
)
select seq, id, hash from ins order by seq`;

/**
 * Appends several AuditEvents to the chain in one statement (atomic on its own): what a busy
 * server's AuditWriter does with each group of events, one round trip instead of a transaction's
 * five.
 */
export async function recordAuditMany(
  db: Sql,
  inputs: (AuditInput | AuditEvent)[],
): Promise<RecordedAudit[]> {
  if (!inputs.length) return [];
  const ps = inputs.map(prepare);
  const { rows } = await db.query({
    name: 'kith-audit-append-many',
    text: APPEND_MANY_SQL,
    values: [
      ps.map((p) => p.event.id),
      ps.map((p) => p.event.recorded),
      ps.map((p) => p.action),
      ps.map((p) => p.outcome),
      ps.map((p) => p.patients.join('\u001f')),
      ps.map((p) => p.canonical).join('\u001e'),
    ],
  });
  return rows.map((r) => ({ seq: Number(r.seq), id: r.id as string, hash: r.hash as string }));
}

/**
 * Appends one AuditEvent to the chain: one statement, atomic on its own, or part of the caller's
 * transaction when given a client inside one (the event then commits or rolls back with it; the
 * chain head stays locked until then, so keep such transactions short). Accepts Kith's
 * `AuditInput` or a complete FHIR AuditEvent.
 */
export async function recordAudit(db: Sql, input: AuditInput | AuditEvent): Promise<RecordedAudit> {
  const p = prepare(input);
  const { rows } = await db.query({
    name: 'kith-audit-append',
    text: APPEND_SQL,
    values: [p.event.id, p.canonical, p.event.recorded, p.action, p.patients, p.outcome],
  });
  return { seq: rows[0].seq, id: p.event.id as string, hash: rows[0].hash };
}

// Pending events as parallel arrays, patients joined by U+001F (as APPEND_MANY_SQL takes them).
const PENDING_MANY_SQL = `insert into audit_pending (id, recorded, action, outcome, patients, event)
  select x.id, x.r, x.a, x.o, case when x.p = '' then '{}'::text[] else string_to_array(x.p, chr(31)) end, x.e
  from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[]) as x(id, r, a, o, p, e)`;

/**
 * Records an event inside the caller's write transaction without touching the chain: it commits or
 * rolls back with the write, and an AuditWriter chains it (in order, soon after) — see `notePending`.
 */
export async function recordPendingAudit(db: Sql, input: AuditInput | AuditEvent): Promise<string> {
  const p = prepare(input);
  // Nothing in the write's transaction reads it back: it rides in the transaction's next statement.
  await rideOrRun(db, {
    sql: `insert into audit_pending (id, recorded, action, outcome, patients, event)
          values ($1, $2::timestamptz, $3, $4, $5::text[], $6)`,
    values: [p.event.id, p.event.recorded, p.action, p.outcome, p.patients, p.canonical],
    // With other writes' events in one statement (a batch of writes), one insert for them all.
    many: {
      sql: PENDING_MANY_SQL,
      values: [p.event.id, p.event.recorded, p.action, p.outcome, p.patients.join('\u001f'), p.canonical],
    },
  });
  return p.event.id as string;
}

/**
 * Appends several events in one transaction: the head is locked once, the hashes are chained in
 * JavaScript, and all rows go in with one INSERT. Cheaper per event than `recordAudit` for batches.
 */
export async function recordAuditBatch(
  db: TransactionalSql,
  inputs: (AuditInput | AuditEvent)[],
  opts: { synchronousCommit?: boolean; includePending?: boolean } = {},
): Promise<RecordedAudit[]> {
  if (!inputs.length && !opts.includePending) return [];
  const fresh = inputs.map(prepare);
  return db.transaction(async (client) => {
    // Asynchronous commit trades the last few hundred ms of events on a server crash for not
    // waiting on the disk; the chain stays consistent either way (WAL replays in order).
    if (opts.synchronousCommit === false) await client.query('set local synchronous_commit = off');
    const { rows } = await client.query('select seq, hash, last_id from audit_head where id = 1 for update');
    // Committed pending events go first: they happened before the ones in hand.
    const pending = opts.includePending
      ? (
          await client.query(
            `delete from audit_pending where pid in (select pid from audit_pending order by pid limit 10000)
             returning pid, id, recorded, action, outcome, patients, event`,
          )
        ).rows.sort((a, b) => Number(a.pid) - Number(b.pid))
      : [];
    const prepared: Prepared[] = [
      ...pending.map((r) => ({
        event: { id: r.id, recorded: r.recorded } as AuditEvent,
        canonical: r.event as string,
        patients: r.patients as string[],
        action: r.action as string,
        outcome: r.outcome as string,
      })),
      ...fresh,
    ];
    if (prepared.length === 0) return [];
    let seq: number = rows[0].seq;
    let prevHash: string = rows[0].hash;
    let prevId: string | null = rows[0].last_id;
    const out: RecordedAudit[] = [];
    const records = prepared.map((p) => {
      seq += 1;
      const hash = chainHash(prevHash, p.canonical);
      const rec = {
        seq,
        id: p.event.id,
        recorded: p.event.recorded,
        action: p.action,
        outcome: p.outcome,
        patients: p.patients,
        event: p.canonical,
        prev_id: prevId,
        prev_hash: prevHash,
        hash,
      };
      out.push({ seq, id: p.event.id as string, hash });
      prevHash = hash;
      prevId = p.event.id as string;
      return rec;
    });
    await client.query(
      `insert into audit_events (seq, id, recorded, action, outcome, patients, event, prev_id, prev_hash, hash)
       select s, i, r, a, o, case when p = '' then '{}'::text[] else string_to_array(p, chr(31)) end, e, pi, ph, h
       from unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::text[],
                   $6::text[], string_to_array($7::text, chr(30)), $8::text[], $9::text[], $10::text[])
              as u(s, i, r, a, o, p, e, pi, ph, h)`,
      [
        records.map((r) => r.seq),
        records.map((r) => r.id),
        records.map((r) => r.recorded),
        records.map((r) => r.action),
        records.map((r) => r.outcome),
        records.map((r) => r.patients.join('\u001f')),
        // One text, split by the server: canonical JSON never holds a raw control character
        // (JSON.stringify escapes them), and this skips array-literal quoting of large texts.
        records.map((r) => r.event).join('\u001e'),
        records.map((r) => r.prev_id),
        records.map((r) => r.prev_hash),
        records.map((r) => r.hash),
      ],
    );
    const last = records[records.length - 1];
    await client.query(
      'update audit_head set seq = $1, hash = $2, prev_hash = $3, last_id = $4, prev_id = $5 where id = 1',
      [last.seq, last.hash, last.prev_hash, last.id, last.prev_id],
    );
    return out.slice(pending.length);
  });
}

/**
 * Group commit for busy servers: `record` resolves once the event is stored (committed, durably
 * unless `synchronousCommit: false`); events that arrive while batches are being written go in the
 * next batch, one statement each. Up to `inFlight` batches (default 2) are sent at once, each on
 * its own connection: the next batch waits inside PostgreSQL on the chain head's row lock and
 * starts the moment the one before commits, instead of after its result has come back to this
 * process and the requests it answers have been served. The lock still makes the chain one line
 * (each batch reads the head it extends under it), so a batch that fails leaves no gap. Nothing is
 * held in memory beyond the batches in flight and the queue, and a caller never proceeds before
 * its event is committed.
 */
export class AuditWriter {
  private queue: {
    p: AuditInput | AuditEvent;
    resolve: (r: RecordedAudit) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private inFlight = 0;
  /** A batch that sweeps pending events runs alone, so later events cannot overtake those. */
  private sweeping = false;
  private idle: (() => void)[] = [];

  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly synchronousCommit: boolean;

  constructor(
    private readonly db: TransactionalSql,
    opts: { maxBatch?: number; inFlight?: number; synchronousCommit?: boolean } = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 500;
    this.maxInFlight = Math.max(1, opts.inFlight ?? 1);
    this.synchronousCommit = opts.synchronousCommit ?? true;
  }

  record(input: AuditInput | AuditEvent): Promise<RecordedAudit> {
    return new Promise((resolve, reject) => {
      this.queue.push({ p: input, resolve, reject });
      this.pump();
    });
  }

  private pendingNoted = false;
  private sweep: NodeJS.Timeout | undefined;

  /**
   * An event went to `audit_pending` inside a write's transaction (`recordPendingAudit`): chain it
   * with the next batch. Until it commits it cannot be chained, so pending events are also swept
   * into the chain every half second from then on.
   */
  notePending(): void {
    this.pendingNoted = true;
    this.sweep ??= setInterval(() => {
      this.pendingNoted = true;
      this.pump();
    }, 500).unref();
  }

  /** Starts batches while there is work and room (synchronously: the queue is taken in order). */
  private pump(): void {
    while (!this.sweeping && this.inFlight < this.maxInFlight && (this.queue.length || this.pendingNoted)) {
      const noted = this.pendingNoted;
      // A sweep starts when nothing is in flight (the next batch's finish), so it runs alone.
      if (noted && this.inFlight > 0) return;
      this.pendingNoted = false;
      if (noted) this.sweeping = true;
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.write(batch, noted);
    }
  }

  /** A batch is done: start the next one at once, before its callers' continuations run. */
  private finished(noted: boolean): void {
    this.inFlight -= 1;
    if (noted) this.sweeping = false;
    this.pump();
    if (this.inFlight === 0 && !this.queue.length) for (const done of this.idle.splice(0)) done();
  }

  private async write(batch: AuditWriter['queue'], noted: boolean): Promise<void> {
    try {
      // The sweep runs every half second for the server's life: only take the chain's lock for
      // pending events when there are some (an unlocked look, once per sweep).
      const includePending = noted && (await this.anyPending());
      if (!batch.length && !includePending) return;
      const results =
        this.synchronousCommit && !includePending
          ? await recordAuditMany(
              this.db,
              batch.map((b) => b.p),
            )
          : await recordAuditBatch(
              this.db,
              batch.map((b) => b.p),
              { synchronousCommit: this.synchronousCommit, includePending },
            );
      batch.forEach((b, i) => b.resolve(results[i]));
    } catch (err) {
      // Pending events stay in their table for the next sweep; queued ones fail with the error.
      for (const b of batch) b.reject(err);
    } finally {
      // Synchronously, as the loop this replaced did: the next batch goes out while the callers just
      // resolved are still waiting to run (measured: starting it after them made the bench's
      // batches twice as large only because its callers record their next event at once).
      this.finished(noted);
    }
  }

  private async anyPending(): Promise<boolean> {
    const { rows } = await this.db.query({
      name: 'kith-audit-any-pending',
      // By the key's index: dead rows of swept events are skipped there without reading the table.
      text: 'select pid from audit_pending order by pid limit 1',
    });
    return rows.length > 0;
  }

  /** Resolves when everything queued so far is stored. */
  async flush(): Promise<void> {
    if (this.sweep) {
      this.pendingNoted = true;
      this.pump();
    }
    if (this.inFlight === 0 && !this.queue.length && !this.pendingNoted) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }
}
