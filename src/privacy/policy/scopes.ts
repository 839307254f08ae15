import type { Caller } from '../caller';
import type { Action } from './schema';

/** The SMART v2 permission letter an action needs. */
export const ACTION_OP: Record<Action, string> = {
  create: 'c',
  read: 'r',
  update: 'u',
  delete: 'd',
  search: 's',
};

/**
 * What a caller's SMART scopes open for one permission letter: resource types opened without limit
 * (`user/` and `system/` scopes) and types opened only within the bound patient's compartment
 * (`patient/` scopes, which open nothing when the token is bound to no patient). `*` is every type.
 * A caller with no scopes is opened nothing.
 */
export interface ScopeCoverage {
  full: '*' | string[];
  patient: '*' | string[];
  /** The bound Patient id (without "Patient/") for patient scopes. */
  patientId?: string;
}

export function scopeCoverage(caller: Caller, op: string): ScopeCoverage {
  const patientId = caller.patient?.replace(/^Patient\//, '') || undefined;
  const full = new Set<string>();
  const patient = new Set<string>();
  for (const s of caller.scopes) {
    if (!s.ops.includes(op)) continue;
    if (s.context === 'patient') {
      if (patientId) patient.add(s.type);
    } else full.add(s.type);
  }
  return {
    full: full.has('*') ? '*' : [...full].sort(),
    patient: patient.has('*') ? '*' : [...patient].sort(),
    ...(patientId ? { patientId } : {}),
  };
}

/** How the scopes open one type: fully, only in the bound patient's compartment, or not at all. */
export function scopeFor(cov: ScopeCoverage, type: string): 'full' | 'patient' | 'none' {
  if (cov.full === '*' || cov.full.includes(type)) return 'full';
  if (cov.patientId && (cov.patient === '*' || cov.patient.includes(type))) return 'patient';
  return 'none';
}
