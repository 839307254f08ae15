import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '@medplum/fhirtypes';
import { canonicalJson, chainHash } from './canonical';
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
}

function prepare(input: AuditInput | AuditEvent): Prepared {
  const event =
    (input as AuditEvent).resourceType === 'AuditEvent'
      ? { ...(input as AuditEvent) }
      : buildAuditEvent(input as AuditInput);
  event.id ??= randomUUID();
  event.recorded ??= new Date().toISOString();
  // The canonical text is what is hashed and what is stored, so a verifier reads back the same value.
  const canonical = canonicalJson(event);
  const stored = JSON.parse(canonical) as AuditEvent;
  return { event: stored, canonical, patients: patientsOf(stored), action: actionOf(stored) };
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
insert into audit_events (seq, id, recorded, action, patients, event, prev_id, prev_hash, hash)
select head.seq, $1::text, $3::timestamptz, $4::text, $5::text[], $2::text::jsonb, head.prev_id, head.prev_hash, head.hash
from head
returning seq, hash`;

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
    values: [p.event.id, p.canonical, p.event.recorded, p.action, p.patients],
  });
  return { seq: rows[0].seq, id: p.event.id as string, hash: rows[0].hash };
}

/**
 * Appends several events in one transaction: the head is locked once, the hashes are chained in
 * JavaScript, and all rows go in with one INSERT. Cheaper per event than `recordAudit` for batches.
 */
export async function recordAuditBatch(
  db: TransactionalSql,
  inputs: (AuditInput | AuditEvent)[],
): Promise<RecordedAudit[]> {
  if (!inputs.length) return [];
  const prepared = inputs.map(prepare);
  return db.transaction(async (client) => {
    const { rows } = await client.query('select seq, hash, last_id from audit_head where id = 1 for update');
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
        patients: p.patients,
        event: p.event,
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
      `insert into audit_events (seq, id, recorded, action, patients, event, prev_id, prev_hash, hash)
       select (r->>'seq')::bigint, r->>'id', (r->>'recorded')::timestamptz, r->>'action',
              array(select jsonb_array_elements_text(r->'patients')), r->'event', r->>'prev_id', r->>'prev_hash', r->>'hash'
       from jsonb_array_elements($1::jsonb) r`,
      [JSON.stringify(records)],
    );
    const last = records[records.length - 1];
    await client.query(
      'update audit_head set seq = $1, hash = $2, prev_hash = $3, last_id = $4, prev_id = $5 where id = 1',
      [last.seq, last.hash, last.prev_hash, last.id, last.prev_id],
    );
    return out;
  });
}

/**
 * Group commit for busy servers: `record` resolves once the event is stored; events that arrive
 * while a batch is being written go in the next batch, in one transaction. Nothing is held in
 * memory beyond the batch in flight, and a caller never proceeds before its event is durable.
 */
export class AuditWriter {
  private queue: {
    p: AuditInput | AuditEvent;
    resolve: (r: RecordedAudit) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: TransactionalSql,
    private readonly maxBatch = 500,
  ) {}

  record(input: AuditInput | AuditEvent): Promise<RecordedAudit> {
    return new Promise((resolve, reject) => {
      this.queue.push({ p: input, resolve, reject });
      this.running ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const results =
            batch.length === 1
              ? [await recordAudit(this.db, batch[0].p)]
              : await recordAuditBatch(
                  this.db,
                  batch.map((b) => b.p),
                );
          batch.forEach((b, i) => b.resolve(results[i]));
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Resolves when everything queued so far is stored. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }
}
