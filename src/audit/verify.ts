import type { AuditEvent } from '@medplum/fhirtypes';
import { GENESIS_HASH, chainHash } from './canonical';
import { actionOf, patientsOf } from './event';
import type { Sql } from './record';

export interface ChainBreak {
  /** The sequence number of the altered event, or of the first missing one. */
  seq: number;
  /** The altered event's id, or the deleted event's id when the next event still names it. */
  id?: string;
  kind: 'altered' | 'deleted' | 'head';
  reason: string;
}

export interface ChainVerification {
  ok: boolean;
  /** Events checked. */
  count: number;
  /** The chain's end when the check started: anchor `hash` outside the database to detect a rewrite. */
  head: { seq: number; hash: string };
  firstBroken?: ChainBreak;
}

/**
 * Walks the audit chain in sequence order and recomputes every hash. Reports the first break:
 * an event whose content no longer matches its hash (altered), an event whose link to the one
 * before does not match (the one before was altered and re-hashed), a gap in the sequence or at
 * the end (deleted). Checks up to the head as it stood when the walk began, so appends made
 * meanwhile are not mistaken for damage.
 */
export async function verifyAuditChain(
  db: Sql,
  opts: { batchSize?: number } = {},
): Promise<ChainVerification> {
  const batch = opts.batchSize ?? 2000;
  const headRow = (await db.query('select seq, hash, last_id from audit_head where id = 1')).rows[0];
  const head = { seq: Number(headRow.seq), hash: headRow.hash as string };
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let prevId: string | undefined;
  let count = 0;
  const broken = (b: ChainBreak): ChainVerification => ({ ok: false, count, head, firstBroken: b });

  while (expected <= head.seq) {
    const { rows } = await db.query(
      `select seq, id, recorded, action, outcome, patients, event, prev_id, prev_hash, hash
       from audit_events where seq >= $1 and seq <= $2 order by seq limit $3`,
      [expected, head.seq, batch],
    );
    if (!rows.length) break;
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expected) {
        const missing = seq - 1 > expected ? `events ${expected}–${seq - 1} are` : `event ${expected} is`;
        return broken({
          seq: expected,
          id: seq === expected + 1 ? (r.prev_id ?? undefined) : undefined,
          kind: 'deleted',
          reason: `${missing} missing (deleted)${r.prev_id && seq === expected + 1 ? `: it was ${r.prev_id}` : ''}; the chain resumes at ${seq} (${r.id})`,
        });
      }
      if (r.prev_hash !== prevHash && expected === 1)
        return broken({
          seq,
          id: r.id,
          kind: 'altered',
          reason: `event 1 (${r.id}) no longer starts the chain`,
        });
      if (r.prev_hash !== prevHash)
        return broken({
          seq: expected - 1,
          id: prevId,
          kind: 'altered',
          reason: `event ${expected - 1} (${prevId}) was changed and re-hashed: event ${seq} still links to its original hash`,
        });
      // The stored text is exactly what was hashed.
      if (chainHash(r.prev_hash, r.event) !== r.hash)
        return broken({
          seq,
          id: r.id,
          kind: 'altered',
          reason: `event ${seq} (${r.id}) was changed: its content does not match its hash`,
        });
      let event: AuditEvent;
      try {
        event = JSON.parse(r.event);
      } catch {
        return broken({
          seq,
          id: r.id,
          kind: 'altered',
          reason: `event ${seq} (${r.id}) is not readable JSON`,
        });
      }
      // The indexed columns must agree with the hashed content they are taken from.
      const patients = [...(r.patients ?? [])].sort().join(',');
      if (
        event.id !== r.id ||
        actionOf(event) !== r.action ||
        (event.outcome ?? '0') !== r.outcome ||
        patientsOf(event).join(',') !== patients ||
        Date.parse(event.recorded as string) !== Date.parse(r.recorded)
      )
        return broken({
          seq,
          id: r.id,
          kind: 'altered',
          reason: `event ${seq} (${r.id}) was changed: its indexed columns no longer match its content`,
        });
      prevHash = r.hash;
      prevId = r.id;
      expected += 1;
      count += 1;
    }
  }
  if (expected <= head.seq)
    return broken({
      seq: expected,
      id: expected === head.seq ? (headRow.last_id ?? undefined) : undefined,
      kind: 'deleted',
      reason:
        expected === head.seq
          ? `the last event ${expected} (${headRow.last_id}) is missing (deleted)`
          : `events ${expected}–${head.seq} at the end are missing (deleted)`,
    });
  if (prevHash !== head.hash)
    return broken({
      seq: head.seq,
      id: prevId,
      kind: 'head',
      reason: `the chain head does not match event ${head.seq}: the last event or the head was changed`,
    });
  return { ok: true, count, head };
}

/** One line for people: what `kith audit verify` prints. */
export function describeVerification(v: ChainVerification): string {
  if (v.ok) return `Audit chain intact: ${v.count} events, head ${v.head.seq} ${v.head.hash}`;
  const b = v.firstBroken as ChainBreak;
  return `Audit chain BROKEN after ${v.count} good events: ${b.reason}`;
}
