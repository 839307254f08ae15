import type { FhirStore } from '../../store';
import { backfillAccessColumns } from './backfill';
import { PolicyGuard } from './guard';

/**
 * Installs the access layer on a Kith store: every write is labelled and its access columns filled,
 * Consent writes keep `consent_grants` in step, and stores bound to a caller (`withCaller`) obey
 * the policy on every path. Rows from before the columns existed are backfilled. Idempotent.
 */
export async function installPrivacy(kith: { store: FhirStore }): Promise<PolicyGuard> {
  const existing = kith.store.access;
  if (existing instanceof PolicyGuard) return existing;
  const guard = new PolicyGuard(kith.store.db);
  kith.store.setAccessControl(guard);
  await backfillAccessColumns(kith.store);
  return guard;
}
