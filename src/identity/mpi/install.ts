import type { Patient } from '@medplum/fhirtypes';
import type { FhirStore } from '../../store';
import { createMatcher, type Matcher } from '../matcher';
import { defaultRules } from '../rules';
import { lockPatientsKeys, onPatientWrite, rideStateRead, STATE_READ, type MpiContext } from './core';
import type { SurvivorshipOptions } from './golden';
import './migrations';
import { TermFrequencyCache } from './term-frequencies';
import { ValueCountBuffer } from './value-counts';

export interface IdentityOptions {
  /** Rules and model parameters; its term-frequency source, if any, is replaced by the stored counts'. */
  matcher?: Matcher;
  survivorship?: SurvivorshipOptions;
  /** false: exact agreements weigh the same whatever the value (no term-frequency weights). */
  termFrequency?: boolean;
  /** How old the term-frequency snapshot may grow before a lookup refreshes it (default 60 s). */
  termFrequencyMaxAgeMs?: number;
}

// Keyed by the database: stores bound to a caller (withCaller) or a transaction are new objects over it.
const contexts = new WeakMap<FhirStore['db'], MpiContext>();
let defaultContext: MpiContext | undefined;

/** The identity context installed on a store (or the default one, for read-only uses like $match). */
export function identityContext(store?: FhirStore): MpiContext {
  const found = store && contexts.get(store.db);
  if (found) return found;
  defaultContext ??= { matcher: createMatcher(defaultRules), survivorship: {} };
  return defaultContext;
}

/**
 * Matches every Patient create and update inside its write's transaction (API, transaction Bundles,
 * imports, feeds all go through the store), so the Person exists when the write returns. Persons are
 * written by this module through the transaction's store; the hook ignores every other resource type,
 * so its own Person writes never loop.
 */
export function installIdentity(kith: { store: FhirStore }, options: IdentityOptions = {}): MpiContext {
  const installed = contexts.get(kith.store.db);
  if (installed) return installed;
  const base = options.matcher ?? identityContext().matcher;
  const pool = kith.store.db.pool;
  const termFrequencies =
    options.termFrequency === false
      ? undefined
      : new TermFrequencyCache(pool, base.rules.termFrequency.maxAdjustment, options.termFrequencyMaxAgeMs);
  const ctx: MpiContext = {
    // The same rules and parameters, with u probabilities of exact agreements from the stored counts.
    matcher: termFrequencies
      ? createMatcher(base.rules, base.params, { termFrequency: termFrequencies.lookup })
      : base,
    survivorship: options.survivorship ?? {},
    counts: new ValueCountBuffer(pool),
    termFrequencies,
  };
  void termFrequencies?.refresh();
  contexts.set(kith.store.db, ctx);
  kith.store.addBeforeManyHook((store, resources) =>
    lockPatientsKeys(
      store.queryable,
      ctx,
      resources.filter((r): r is Patient => r.resourceType === 'Patient'),
    ),
  );
  kith.store.addBeforeWriteHook(async (store, resource) => {
    if (resource.resourceType === 'Patient') rideStateRead(store.queryable, ctx, resource as Patient);
    return resource;
  });
  kith.store.addAfterWriteHook(async (store, result) => {
    if (result.resource.resourceType !== 'Patient' || result.unchanged || result.version.deleted) return;
    const patient = result.resource as Patient;
    await onPatientWrite(store, ctx, patient, patient.meta?.source, result.companions?.[STATE_READ]);
  });
  return ctx;
}
