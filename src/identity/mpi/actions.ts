import { randomUUID } from 'node:crypto';
import { FhirError } from '../../fhir/errors';
import type { FhirStore, Queryable } from '../../store';
import {
  actorOf,
  auditIdentity,
  linkOf,
  linksOfPerson,
  refreshPerson,
  setLink,
  type LinkRow,
  type MpiContext,
} from './core';

/**
 * Data steward actions. Each runs in one transaction, journals the identity_links rows it touched
 * (before and after) in identity_actions, rewrites the affected Person resources, and writes an
 * AuditEvent. `undo` restores a journaled action's before-state exactly (unmerge is undo of a merge).
 */
export type StewardAction = 'link' | 'unlink' | 'merge' | 'split' | 'not-same' | 'review';

interface Snapshot {
  links: LinkRow[];
  /** Patients the action may move: their rows are deleted and re-inserted from `before` on undo. */
  patients: string[];
  persons: string[];
  notSame?: [string, string][];
  /** Review tasks the action decided, with their status before. */
  reviews?: { id: number; status: string }[];
}

export interface ActionResult {
  actionId: number;
  persons: string[];
}

function requireSteward(store: FhirStore): void {
  const c = store.caller;
  // Without a caller (system, tests, CLI) the action is trusted; users and clients need the role.
  if (c && !c.roles.includes('data-steward') && !c.roles.includes('administrator'))
    throw new FhirError('forbidden', 'Identity actions need the data-steward role');
}

async function linksOf(db: Queryable, patientIds: string[]): Promise<LinkRow[]> {
  if (!patientIds.length) return [];
  const { rows } = await db.query(
    // linked_at as text keeps PostgreSQL's microseconds, so undo restores it exactly.
    `select patient_id, person_id, assurance, rule_version, score, evidence, linked_at::text as linked_at, linked_by
     from identity_links where patient_id = any($1::text[]) order by patient_id`,
    [patientIds],
  );
  return rows.map((r) => ({
    ...r,
    evidence: typeof r.evidence === 'string' ? JSON.parse(r.evidence) : r.evidence,
  }));
}

async function requireLink(db: Queryable, patientId: string): Promise<LinkRow> {
  const link = await linkOf(db, patientId);
  if (!link) throw new FhirError('not_found', `Patient/${patientId} has no identity link`);
  return link;
}

async function requirePerson(db: Queryable, personId: string): Promise<LinkRow[]> {
  const links = await linksOfPerson(db, personId);
  if (!links.length) throw new FhirError('not_found', `Person/${personId} has no linked records`);
  return links;
}

/** Runs fn in a transaction, journaling the links of `patients` before and after, and auditing. */
async function journaled(
  store: FhirStore,
  ctx: MpiContext,
  action: StewardAction | 'undo',
  detail: string,
  patients: (db: Queryable) => Promise<string[]>,
  fn: (tx: FhirStore) => Promise<Partial<Snapshot> | void>,
): Promise<ActionResult> {
  requireSteward(store);
  return store.inTransaction(async (tx) => {
    const db = tx.queryable;
    const ids = await patients(db);
    const before = await linksOf(db, ids);
    const extra = (await fn(tx)) ?? {};
    const after = await linksOf(db, ids);
    const persons = [
      ...new Set([...before, ...after].map((l) => l.person_id).concat(extra.persons ?? [])),
    ].sort();
    for (const p of persons) await refreshPerson(tx, ctx, p);
    const { rows } = await db.query(
      `insert into identity_actions (action, actor, before, after) values ($1, $2, $3::jsonb, $4::jsonb) returning id`,
      [
        action,
        actorOf(tx),
        JSON.stringify({ links: before, patients: ids, persons, reviews: extra.reviews } satisfies Snapshot),
        JSON.stringify({ links: after, patients: ids, persons, notSame: extra.notSame } satisfies Snapshot),
      ],
    );
    const actionId = Number(rows[0].id);
    await auditIdentity(
      tx,
      action,
      [...ids.map((p) => `Patient/${p}`), ...persons.map((p) => `Person/${p}`)],
      `${detail} (identity action ${actionId})`,
    );
    return { actionId, persons };
  });
}

function steward(tx: FhirStore, patientId: string, personId: string): Omit<LinkRow, 'linked_at'> {
  return {
    patient_id: patientId,
    person_id: personId,
    assurance: 'level4',
    rule_version: null,
    score: null,
    evidence: null,
    linked_by: actorOf(tx),
  };
}

/** Links a Patient to a Person (level4), moving it out of its current Person. */
export function linkPatient(
  store: FhirStore,
  ctx: MpiContext,
  patientId: string,
  personId: string,
): Promise<ActionResult> {
  return journaled(
    store,
    ctx,
    'link',
    `link Patient/${patientId} to Person/${personId}`,
    async () => [patientId],
    async (tx) => {
      await requireLink(tx.queryable, patientId);
      await requirePerson(tx.queryable, personId);
      await setLink(tx.queryable, steward(tx, patientId, personId));
    },
  );
}

/** Takes a Patient out of its Person into a new Person of its own (level4). */
export function unlinkPatient(store: FhirStore, ctx: MpiContext, patientId: string): Promise<ActionResult> {
  return journaled(
    store,
    ctx,
    'unlink',
    `unlink Patient/${patientId}`,
    async () => [patientId],
    async (tx) => {
      await requireLink(tx.queryable, patientId);
      await setLink(tx.queryable, steward(tx, patientId, randomUUID()));
    },
  );
}

/** Moves every record of Person `from` into Person `into` (level4); `from` is left inactive with no links. */
export function mergePersons(
  store: FhirStore,
  ctx: MpiContext,
  into: string,
  from: string,
): Promise<ActionResult> {
  if (into === from) throw new FhirError('invalid_resource', 'Cannot merge a Person into itself');
  return journaled(
    store,
    ctx,
    'merge',
    `merge Person/${from} into Person/${into}`,
    async (db) => {
      const a = await requirePerson(db, into);
      const b = await requirePerson(db, from);
      return [...a, ...b].map((l) => l.patient_id);
    },
    async (tx) => {
      for (const l of await linksOfPerson(tx.queryable, from))
        await setLink(tx.queryable, steward(tx, l.patient_id, into));
    },
  );
}

/** Moves the given records of a Person into a new Person (level4). */
export function splitPerson(
  store: FhirStore,
  ctx: MpiContext,
  personId: string,
  patientIds: string[],
): Promise<ActionResult> {
  return journaled(
    store,
    ctx,
    'split',
    `split Person/${personId}`,
    async (db) => (await requirePerson(db, personId)).map((l) => l.patient_id),
    async (tx) => {
      const members = new Set((await linksOfPerson(tx.queryable, personId)).map((l) => l.patient_id));
      if (!patientIds.length || patientIds.some((p) => !members.has(p)) || patientIds.length === members.size)
        throw new FhirError('invalid_resource', 'Split needs some, not all, of the Person’s own records');
      const newPerson = randomUUID();
      for (const p of patientIds) await setLink(tx.queryable, steward(tx, p, newPerson));
    },
  );
}

/**
 * Remembers that two records are different people, so matching never links or proposes them again;
 * when they share a Person now, `b` is moved to a Person of its own. Open review tasks for the pair close.
 */
export function markNotSame(store: FhirStore, ctx: MpiContext, a: string, b: string): Promise<ActionResult> {
  if (a === b) throw new FhirError('invalid_resource', 'A record is the same as itself');
  const [x, y] = a < b ? [a, b] : [b, a];
  return journaled(
    store,
    ctx,
    'not-same',
    `Patient/${a} and Patient/${b} are not the same person`,
    async () => [a, b],
    async (tx) => {
      const db = tx.queryable;
      const la = await requireLink(db, a);
      const lb = await requireLink(db, b);
      const { rowCount } = await db.query(
        'insert into identity_not_same (a, b, decided_by) values ($1, $2, $3) on conflict do nothing',
        [x, y, actorOf(tx)],
      );
      if (la.person_id === lb.person_id) await setLink(db, steward(tx, b, randomUUID()));
      const closed = await db.query(
        `update identity_review set status = 'not-same', decided_by = $3, decided_at = now()
         where status = 'open' and ((patient_id = $1 and candidate_patient_id = $2) or (patient_id = $2 and candidate_patient_id = $1))
         returning id`,
        [a, b, actorOf(tx)],
      );
      return {
        notSame: rowCount ? [[x, y]] : [],
        reviews: closed.rows.map((r) => ({ id: Number(r.id), status: 'open' })),
      };
    },
  );
}

export interface ReviewTask {
  id: number;
  patientId: string;
  candidatePatientId: string;
  candidatePersonId: string;
  score: number;
  evidence: unknown;
  status: string;
  createdAt: string;
}

/** Open review tasks, oldest first, with the evidence (per-field levels and weights). */
export async function listReviews(db: Queryable, limit = 50): Promise<ReviewTask[]> {
  const { rows } = await db.query(
    `select * from identity_review where status = 'open' order by id limit $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    patientId: r.patient_id,
    candidatePatientId: r.candidate_patient_id,
    candidatePersonId: r.candidate_person_id,
    score: r.score,
    evidence: typeof r.evidence === 'string' ? JSON.parse(r.evidence) : r.evidence,
    status: r.status,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** Decides a review task: link the record to the candidate's current Person, or mark the pair not the same. */
export async function decideReview(
  store: FhirStore,
  ctx: MpiContext,
  reviewId: number,
  decision: 'link' | 'not-same',
): Promise<ActionResult> {
  const { rows } = await store.queryable.query('select * from identity_review where id = $1', [reviewId]);
  const task = rows[0];
  if (!task) throw new FhirError('not_found', `Review task ${reviewId} is not known`);
  if (task.status !== 'open')
    throw new FhirError('conflict', `Review task ${reviewId} is already ${task.status}`);
  if (decision === 'not-same') return markNotSame(store, ctx, task.patient_id, task.candidate_patient_id);
  return journaled(
    store,
    ctx,
    'review',
    `review ${reviewId}: link Patient/${task.patient_id} with Patient/${task.candidate_patient_id}`,
    async () => [task.patient_id, task.candidate_patient_id],
    async (tx) => {
      const target = await requireLink(tx.queryable, task.candidate_patient_id);
      await setLink(tx.queryable, steward(tx, task.patient_id, target.person_id));
      await tx.queryable.query(
        `update identity_review set status = 'linked', decided_by = $2, decided_at = now() where id = $1`,
        [reviewId, actorOf(tx)],
      );
      return { reviews: [{ id: reviewId, status: 'open' }] };
    },
  );
}

/**
 * Restores the identity_links rows an action touched to exactly their state before it (assurance,
 * score, evidence, linked_at, linked_by), removes not-same pairs it added, reopens a review it decided.
 * Refuses when a later action touched the same records and was not undone first.
 */
export async function undoAction(store: FhirStore, ctx: MpiContext, actionId: number): Promise<ActionResult> {
  requireSteward(store);
  return store.inTransaction(async (tx) => {
    const db = tx.queryable;
    const { rows } = await db.query('select * from identity_actions where id = $1 for update', [actionId]);
    const row = rows[0];
    if (!row) throw new FhirError('not_found', `Identity action ${actionId} is not known`);
    if (row.undone_by) throw new FhirError('conflict', `Identity action ${actionId} was already undone`);
    if (row.action === 'undo') throw new FhirError('conflict', 'An undo is not undone; act again instead');
    const before = (typeof row.before === 'string' ? JSON.parse(row.before) : row.before) as Snapshot;
    const after = (typeof row.after === 'string' ? JSON.parse(row.after) : row.after) as Snapshot;
    const later = await db.query(
      `select id from identity_actions where id > $1 and undone_by is null and action <> 'undo'
       and exists (select 1 from jsonb_array_elements_text(after->'patients') p where p = any($2::text[]))`,
      [actionId, before.patients],
    );
    if (later.rows.length)
      throw new FhirError(
        'conflict',
        `Undo identity action ${later.rows[0].id} first: it changed the same records`,
      );
    const result = await journaled(
      tx,
      ctx,
      'undo',
      `undo identity action ${actionId} (${row.action})`,
      async () => before.patients,
      async (t2) => {
        const q = t2.queryable;
        await q.query('delete from identity_links where patient_id = any($1::text[])', [before.patients]);
        for (const l of before.links) await setLink(q, l);
        for (const [a, b] of after.notSame ?? [])
          await q.query('delete from identity_not_same where a = $1 and b = $2', [a, b]);
        for (const r of before.reviews ?? [])
          await q.query(
            'update identity_review set status = $2, decided_by = null, decided_at = null where id = $1',
            [r.id, r.status],
          );
        return { persons: after.persons };
      },
    );
    await db.query('update identity_actions set undone_by = $2 where id = $1', [actionId, result.actionId]);
    return result;
  });
}
