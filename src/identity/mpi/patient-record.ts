import type { Patient } from '@medplum/fhirtypes';
import type { MatchRecord } from '../types';

export const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';

/**
 * A FHIR Patient as the matcher's record: the official (else first) name, the first home (else first)
 * address, the first phone, the SSN identifier apart, other identifiers as `system|value`.
 */
export function patientToMatchRecord(p: Patient): MatchRecord {
  const name = p.name?.find((n) => n.use === 'official') ?? p.name?.[0];
  const address = p.address?.find((a) => a.use === 'home') ?? p.address?.[0];
  const phone = p.telecom?.find((t) => t.system === 'phone' && t.value)?.value;
  const ssn = p.identifier?.find((i) => i.system === SSN_SYSTEM && i.value)?.value;
  const identifiers = (p.identifier ?? [])
    .filter((i) => i.value && i.system !== SSN_SYSTEM)
    .map((i) => (i.system ? `${i.system}|${i.value}` : (i.value as string)));
  const r: MatchRecord = {
    id: p.id ?? '',
    given: name?.given?.[0],
    middle: name?.given?.slice(1).join(' ') || undefined,
    family: name?.family,
    suffix: name?.suffix?.[0],
    gender: p.gender,
    birthDate: p.birthDate,
    ssn,
    phone,
    line: address?.line?.join(' ') || undefined,
    city: address?.city,
    state: address?.state,
    postalCode: address?.postalCode,
    identifiers: identifiers.length ? identifiers : undefined,
  };
  for (const k of Object.keys(r) as (keyof MatchRecord)[]) if (r[k] === undefined) delete r[k];
  return r;
}
