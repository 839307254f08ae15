import type { Patient } from '@medplum/fhirtypes';
import type { FhirStore } from '../../store';
import { createMatcher, type Matcher } from '../matcher';
import { defaultRules } from '../rules';
import { onPatientWrite, type MpiContext } from './core';
import type { SurvivorshipOptions } from './golden';
import './migrations';
import { ValueCountBuffer } from './value-counts';

export interface IdentityOptions {
  matcher?: Matcher;
  survivorship?: SurvivorshipOptions;
}

const contexts = new WeakMap<FhirStore, MpiContext>();
let defaultContext: MpiContext | undefined;

/** The identity context installed on a store (or the default one, for read-only uses like $match). */
export function identityContext(store?: FhirStore): MpiContext {
  const found = store && contexts.get(store);
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
  const installed = contexts.get(kith.store);
  if (installed) return installed;
  const ctx: MpiContext = {
    matcher: options.matcher ?? identityContext().matcher,
    survivorship: options.survivorship ?? {},
    counts: new ValueCountBuffer(kith.store.db.pool),
  };
  contexts.set(kith.store, ctx);
  kith.store.addAfterWriteHook(async (store, result) => {
    if (result.resource.resourceType !== 'Patient' || result.unchanged || result.version.deleted) return;
    const patient = result.resource as Patient;
    await onPatientWrite(store, ctx, patient, patient.meta?.source);
  });
  return ctx;
}
