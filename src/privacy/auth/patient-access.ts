import type { Caller } from '../caller';

/**
 * Whether a caller may see a Patient: the question the authorization page asks before it binds an
 * app's token to the patient the user chose (SMART `launch/patient`, `patient/` scopes).
 */
export type PatientAccess = (caller: Caller, patientId: string) => Promise<boolean>;

/** Anything that reads as a caller through the access policy (Kith's FhirStore). */
interface GuardedStore {
  withCaller(caller: Caller): { readIfExists(resourceType: string, id: string): Promise<unknown> };
}

/**
 * The answer from a read of the Patient through the store bound to the caller: the policy decides
 * (labels, consent, custodian, purpose) and audits the read or the refusal as for any other read.
 * Absent, deleted and hidden are the same answer, so the page confirms nothing.
 */
export function storePatientAccess(store: GuardedStore): PatientAccess {
  return async (caller, patientId) =>
    (await store.withCaller(caller).readIfExists('Patient', patientId)) !== undefined;
}
