import { createHash } from 'node:crypto';
import type { Queryable } from '../store';

/** Advisory-lock namespace of conditional interactions (the two-key form, apart from identity's keys). */
const NAMESPACE = 0x4b_43_4f_4e; // "KCON"

/**
 * Serializes conditional interactions on the same criteria until the caller's transaction ends:
 * two `If-None-Exist` creates racing on one identifier would otherwise both find nothing and both
 * create. The criteria are keyed regardless of parameter order. Different criteria that match the
 * same resource are not serialized (the spec leaves that race to the server; the common case, the
 * same client retrying or several feeds sending one identifier, is covered).
 */
export async function lockConditional(db: Queryable, type: string, criteria: string): Promise<void> {
  await db.query({
    name: 'kith-conditional-lock',
    text: 'select pg_advisory_xact_lock($1::int, $2::int)',
    values: [NAMESPACE, lockKey(type, criteria)],
  });
}

/**
 * The locks of several conditional criteria (as `lockConditional` takes each) in one statement,
 * in ascending key order, so two groups locking overlapping sets wait rather than deadlock.
 */
export async function lockConditionalMany(
  db: Queryable,
  criteria: { type: string; criteria: string }[],
): Promise<void> {
  const keys = conditionalLockKeys(criteria);
  if (keys.length === 0) return;
  await db.query({
    name: 'kith-conditional-lock-many',
    text: 'select count(pg_advisory_xact_lock($1::int, k)) from unnest($2::int[]) with ordinality as t(k, o)',
    values: [NAMESPACE, keys],
  });
}

/**
 * For a statement that takes the locks of `lockConditionalMany` itself (to save a round trip):
 * `select count(pg_advisory_xact_lock(CONDITIONAL_LOCK_NAMESPACE, k)) from unnest(keys) ...`, keys
 * in this (ascending) order.
 */
export function conditionalLockKeys(criteria: { type: string; criteria: string }[]): number[] {
  return [...new Set(criteria.map((c) => lockKey(c.type, c.criteria)))].sort((a, b) => a - b);
}

export const CONDITIONAL_LOCK_NAMESPACE = NAMESPACE;

function lockKey(type: string, criteria: string): number {
  const params = new URLSearchParams(criteria);
  params.sort();
  return createHash('sha256').update(`${type}?${params.toString()}`).digest().readInt32BE(0);
}
