import type { Patient } from '@medplum/fhirtypes';
import type { FhirStore } from '../../store';
import { createMatcher, type Matcher } from '../matcher';
import { defaultRules } from '../rules';
import { onPatientsCreated } from './batch';
import type { UpdateSetCandidates } from './batch-update';
import {
  loadUpdateSet,
  lockPatientsKeys,
  onPatientWrite,
  rideStateRead,
  STATE_READ,
  type MpiContext,
} from './core';
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
  // Patients whose keys a Bundle locked together, per transaction: their state needs no read.
  const lockedTogether = new WeakMap<object, Set<string>>();
  kith.store.addBeforeManyHook(async (store, resources) => {
    const patients = resources.filter((r): r is Patient => r.resourceType === 'Patient');
    await lockPatientsKeys(store.queryable, ctx, patients);
    if (patients.length < 2) return;
    const locked = lockedTogether.get(store.queryable) ?? new Set<string>();
    for (const p of patients) locked.add(p.id as string);
    lockedTogether.set(store.queryable, locked);
  });
  // Patients a Bundle created together, resolved as a set (onPatientsCreated), per transaction.
  const resolvedTogether = new WeakMap<object, Set<string>>();
  kith.store.addAfterManyHook(async (store, results) => {
    const patients = results
      .filter((r) => r.resource.resourceType === 'Patient' && r.version.versionId === 1)
      .map((r) => r.resource as Patient);
    if (patients.length < 2) return;
    await onPatientsCreated(store, ctx, patients);
    const done = resolvedTogether.get(store.queryable) ?? new Set<string>();
    for (const p of patients) done.add(p.id as string);
    resolvedTogether.set(store.queryable, done);
  });
  // Patients updated together (updateMany): their records stored and candidates read as a set.
  const updateSets = new WeakMap<object, UpdateSetCandidates>();
  kith.store.addAfterUpdateManyHook(async (store, results) => {
    updateSets.delete(store.queryable);
    if (ctx.updateSets === false) return;
    const written = results.filter(
      (r) =>
        r.resource.resourceType === 'Patient' &&
        !r.unchanged &&
        !r.version.deleted &&
        !resolvedTogether.get(store.queryable)?.has(r.resource.id as string),
    );
    const states = written.map((r) => r.companions?.[STATE_READ]);
    // Without each one's state read with its write, they go one at a time, as before.
    if (written.length < 2 || states.some((s) => !s)) return;
    const patients = written.map((r) => r.resource as Patient);
    updateSets.set(store.queryable, await loadUpdateSet(store.queryable, ctx, patients, states));
  });
  kith.store.addBeforeWriteHook(async (store, resource) => {
    if (
      resource.resourceType === 'Patient' &&
      !lockedTogether.get(store.queryable)?.has(resource.id as string)
    )
      rideStateRead(store.queryable, ctx, resource as Patient);
    return resource;
  });
  kith.store.addAfterWriteHook(async (store, result) => {
    if (result.resource.resourceType !== 'Patient' || result.unchanged || result.version.deleted) return;
    const patient = result.resource as Patient;
    if (resolvedTogether.get(store.queryable)?.has(patient.id as string)) return;
    await onPatientWrite(
      store,
      ctx,
      patient,
      patient.meta?.source,
      result.companions?.[STATE_READ],
      updateSets.get(store.queryable),
    );
  });
  return ctx;
}
