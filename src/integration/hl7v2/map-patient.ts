import { CONCEPT_MAPS, SYSTEMS, translateCoding } from '../../terminology';
import type { ContactPoint, Identifier, Patient } from '../fhir/types';
import { HL7_ERROR } from '../issues';
import { cxToIdentifier, normalizeSsn, xadToAddress, xpnToName, xtnToContactPoints } from './datatypes';
import type { Hl7Context } from './context';
import type { Segment } from './segment';

export interface MappedPatient {
  patient: Patient;
  /** The identifier the Patient is keyed on (never the SSN). */
  key: Identifier;
}

/**
 * PID → Patient. Identifiers come from PID-3 (plus the legacy PID-2 / PID-4 and the SSN in PID-19);
 * the natural key is the first medical record number, else the first non-SSN identifier.
 * Returns undefined (with an error issue) when PID carries nothing Kith can key the person on.
 */
export function patientFromPid(ctx: Hl7Context, pid: Segment): MappedPatient | undefined {
  const fromPid3: Identifier[] = [];
  for (let r = 1; r <= pid.repetitions(3); r++) {
    const id = cxToIdentifier(ctx, pid, 3, r, 'patient-id');
    if (id && acceptIdentifier(ctx, pid, 3, id)) fromPid3.push(id);
  }
  const others: Identifier[] = [];
  const external = cxToIdentifier(ctx, pid, 2, 1, 'patient-id');
  if (external && acceptIdentifier(ctx, pid, 2, external)) others.push(external);
  for (let r = 1; r <= pid.repetitions(4); r++) {
    const id = cxToIdentifier(ctx, pid, 4, r, 'alternate-id');
    if (id && acceptIdentifier(ctx, pid, 4, id)) others.push(id);
  }
  const ssn = normalizeSsn(pid.get(19));
  if (ssn)
    others.push({
      system: SYSTEMS.usSsn,
      value: ssn,
      type: { coding: [{ system: SYSTEMS.identifierType, code: 'SS' }] },
    });

  const identifiers = dedupe([...fromPid3, ...others]);
  const notSsn = (i: Identifier): boolean => i.system !== SYSTEMS.usSsn;
  const isMr = (i: Identifier): boolean => i.type?.coding?.[0]?.code === 'MR';
  const key = fromPid3.find((i) => notSsn(i) && isMr(i)) ?? fromPid3.find(notSsn) ?? others.find(notSsn);
  if (!key) {
    // An SSN alone is never a record key: it would put the SSN into URLs and logs.
    ctx.issue(
      'error',
      HL7_ERROR.requiredFieldMissing,
      pid,
      3,
      'PID-3 has no patient identifier other than an SSN; the patient cannot be keyed',
    );
    return undefined;
  }

  const patient: Patient = { resourceType: 'Patient', identifier: identifiers };
  const names = [];
  for (let r = 1; r <= pid.repetitions(5); r++) {
    const name = xpnToName(pid, 5, r);
    if (name) names.push(name);
  }
  if (names.length) patient.name = names;
  const mothersMaiden = pid.get(6, 1, 1, 1).trim();
  if (mothersMaiden) {
    patient.extension = [
      {
        url: 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName',
        valueString: mothersMaiden,
      },
    ];
  }
  const telecom: ContactPoint[] = [];
  for (let r = 1; r <= pid.repetitions(13); r++) telecom.push(...xtnToContactPoints(ctx, pid, 13, r, 'home'));
  for (let r = 1; r <= pid.repetitions(14); r++) telecom.push(...xtnToContactPoints(ctx, pid, 14, r, 'work'));
  if (telecom.length) patient.telecom = telecom;
  const sex = pid.get(8).trim();
  if (sex) {
    const gender = translateCoding(
      CONCEPT_MAPS.v2Sex,
      SYSTEMS.v2('0001'),
      sex.toUpperCase(),
      SYSTEMS.administrativeGender,
      ctx.registry,
    );
    if (gender?.code) patient.gender = gender.code as Patient['gender'];
  }
  const birthDate = ctx.date(pid, 7);
  if (birthDate && birthDate <= ctx.now.toISOString().slice(0, 10)) patient.birthDate = birthDate;
  const addresses = [];
  for (let r = 1; r <= pid.repetitions(11); r++) {
    const address = xadToAddress(ctx, pid, 11, r);
    if (address) addresses.push(address);
  }
  if (addresses.length) patient.address = addresses;
  const death = ctx.dateTime(pid, 29);
  if (death) patient.deceasedDateTime = death;
  else if (pid.get(30).trim().toUpperCase() === 'Y') patient.deceasedBoolean = true;
  return { patient, key };
}

/** SSNs that are not nine digits are dropped (and reported) rather than stored wrong. */
function acceptIdentifier(ctx: Hl7Context, pid: Segment, field: number, id: Identifier): boolean {
  if (id.system !== SYSTEMS.usSsn || normalizeSsn(id.value ?? '')) return true;
  ctx.issue(
    'warning',
    HL7_ERROR.dataType,
    pid,
    field,
    `SSN '${id.value}' is not 9 digits; not mapped`,
    id.value,
  );
  return false;
}

function dedupe(ids: Identifier[]): Identifier[] {
  const seen = new Set<string>();
  return ids.filter((i) => {
    const k = `${i.system}|${i.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
