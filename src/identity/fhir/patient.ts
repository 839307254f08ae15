import type { MatchRecord } from '../types';

/**
 * FHIR R4 Patient -> MatchRecord. Only the Patient elements matching reads are typed here (the
 * @medplum/fhirtypes package is not installed on its own); any R4 Patient object fits this shape.
 */
export interface PatientLike {
  resourceType?: 'Patient';
  id?: string;
  identifier?: {
    system?: string;
    value?: string;
    type?: { coding?: { system?: string; code?: string }[]; text?: string };
    period?: { end?: string };
  }[];
  name?: {
    use?: string;
    text?: string;
    family?: string;
    given?: string[];
    suffix?: string[];
    period?: { end?: string };
  }[];
  gender?: string;
  birthDate?: string;
  telecom?: { system?: string; value?: string; use?: string; period?: { end?: string } }[];
  address?: {
    use?: string;
    type?: string;
    line?: string[];
    city?: string;
    state?: string;
    postalCode?: string;
    period?: { end?: string };
  }[];
}

export const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';

const current = <T extends { period?: { end?: string } }>(xs: T[] | undefined): T[] =>
  (xs ?? []).filter((x) => !x.period?.end);

/** The first element whose `use` is the most preferred present; ended elements only as a last resort. */
function pick<T extends { use?: string; period?: { end?: string } }>(
  xs: T[] | undefined,
  uses: string[],
): T | undefined {
  const live = current(xs);
  for (const use of uses) {
    const hit = live.find((x) => x.use === use);
    if (hit) return hit;
  }
  return live.find((x) => x.use !== 'old') ?? xs?.[0];
}

function isSsn(id: NonNullable<PatientLike['identifier']>[number]): boolean {
  if (id.system === SSN_SYSTEM) return true;
  return (id.type?.coding ?? []).some((c) => c.code === 'SS' && (!c.system || c.system.endsWith('v2-0203')));
}

export function patientToMatchRecord(patient: PatientLike): MatchRecord {
  const name = pick(patient.name, ['official', 'usual', 'maiden']);
  const given = name?.given ?? [];
  const address = pick(
    (patient.address ?? []).filter((a) => a.type !== 'postal'),
    ['home', 'temp'],
  );
  const phone = pick(
    (patient.telecom ?? []).filter((t) => t.system === 'phone' || t.system === 'sms'),
    ['mobile', 'home', 'work'],
  );
  const ids = current(patient.identifier).filter((i) => i.value);
  const ssn = ids.find(isSsn);
  return {
    id: patient.id ?? '',
    given: given[0] ?? (name?.family ? undefined : name?.text),
    middle: given.slice(1).join(' ') || undefined,
    family: name?.family,
    suffix: name?.suffix?.join(' '),
    gender: patient.gender,
    birthDate: patient.birthDate,
    ssn: ssn?.value,
    phone: phone?.value,
    line: address?.line?.join(' '),
    city: address?.city,
    state: address?.state,
    postalCode: address?.postalCode,
    identifiers: ids.filter((i) => i !== ssn).map((i) => `${i.system ?? ''}|${i.value}`),
  };
}
