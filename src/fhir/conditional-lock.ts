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
  const params = new URLSearchParams(criteria);
  params.sort();
  const digest = createHash('sha256').update(`${type}?${params.toString()}`).digest();
  await db.query({
    name: 'kith-conditional-lock',
    text: 'select pg_advisory_xact_lock($1::int, $2::int)',
    values: [NAMESPACE, digest.readInt32BE(0)],
  });
}
