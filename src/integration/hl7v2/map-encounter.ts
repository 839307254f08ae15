import {
  CONCEPT_MAPS,
  SYSTEMS,
  kithIdentifierSystem,
  sourceDisplay,
  translateCoding,
} from '../../terminology';
import type { Coding, Encounter, Identifier, Reference } from '../fhir/types';
import { HL7_ERROR } from '../issues';
import type { Hl7Context } from './context';
import { cxToIdentifier, plToDisplay } from './datatypes';
import type { AdtEventRule } from './events';
import type { Segment } from './segment';

export interface MappedEncounter {
  encounter: Encounter;
  key: Identifier;
}

/**
 * PV1 → Encounter for an ADT event. The Encounter is keyed on the visit number (PV1-19); without
 * one, on the account number (PID-18); without that, on patient + admit time (PV1-44). With none
 * of them a re-sent or follow-up message could not find the same Encounter again, so none is
 * created and the gap is reported.
 */
export function encounterFromPv1(
  ctx: Hl7Context,
  pv1: Segment,
  pid: Segment,
  patientKey: Identifier,
  subject: Reference,
  rule: AdtEventRule,
): MappedEncounter | undefined {
  const key = encounterKey(ctx, pv1, pid, patientKey);
  if (!key) return undefined;
  const evn = ctx.first('EVN');
  const eventTime = evn ? (ctx.dateTime(evn, 6) ?? ctx.dateTime(evn, 2)) : undefined;

  let start = ctx.dateTime(pv1, 44);
  if (!start && rule.startsEncounter && eventTime) {
    start = eventTime;
    ctx.issue(
      'info',
      HL7_ERROR.requiredFieldMissing,
      pv1,
      44,
      'PV1-44 admit time is empty; the event time (EVN) is used as the start of the encounter',
    );
  }
  let end = rule.cancelsDischarge ? undefined : ctx.dateTime(pv1, 45);
  if (!end && rule.endsEncounter && eventTime) {
    end = eventTime;
    ctx.issue(
      'info',
      HL7_ERROR.requiredFieldMissing,
      pv1,
      45,
      'PV1-45 discharge time is empty; the event time (EVN) is used as the end of the encounter',
    );
  }
  const status =
    rule.encounterStatus === 'from-pv1'
      ? statusFromPv1(pv1, Boolean(start), Boolean(end))
      : rule.encounterStatus!;

  const encounter: Encounter = {
    resourceType: 'Encounter',
    identifier: [key],
    status,
    class: encounterClass(ctx, pv1),
    subject,
  };
  if (start || end) encounter.period = { ...(start ? { start } : {}), ...(end ? { end } : {}) };

  const locations: NonNullable<Encounter['location']> = [];
  const prior = rule.transfer ? plToDisplay(pv1, 6) : undefined;
  if (prior) locations.push({ location: { display: prior }, status: 'completed' });
  const assigned = plToDisplay(pv1, 3);
  if (assigned)
    locations.push({
      location: { display: assigned },
      status: status === 'finished' ? 'completed' : 'active',
    });
  if (locations.length) encounter.location = locations;

  const disposition = rule.cancelsDischarge ? '' : pv1.get(36).trim();
  if (disposition) {
    const coding =
      translateCoding(
        CONCEPT_MAPS.v2DischargeDisposition,
        SYSTEMS.v2('0112'),
        disposition,
        SYSTEMS.dischargeDisposition,
        ctx.registry,
      ) ?? localCoding(ctx, CONCEPT_MAPS.v2DischargeDisposition, SYSTEMS.v2('0112'), disposition);
    encounter.hospitalization = { dischargeDisposition: { coding: [coding] } };
  }
  return { encounter, key };
}

function encounterKey(
  ctx: Hl7Context,
  pv1: Segment,
  pid: Segment,
  patientKey: Identifier,
): Identifier | undefined {
  const visit = cxToIdentifier(ctx, pv1, 19, 1, 'visit-number');
  if (visit) return withType(visit, 'VN');
  const account = cxToIdentifier(ctx, pid, 18, 1, 'account-number');
  if (account) {
    ctx.issue(
      'info',
      HL7_ERROR.requiredFieldMissing,
      pv1,
      19,
      'PV1-19 visit number is empty; the encounter is keyed on the account number (PID-18)',
    );
    return withType(account, 'AN');
  }
  const admit = pv1.get(44).trim();
  if (admit && ctx.dateTime(pv1, 44)) {
    ctx.issue(
      'info',
      HL7_ERROR.requiredFieldMissing,
      pv1,
      19,
      'PV1-19 visit number and PID-18 account number are empty; the encounter is keyed on patient and admit time',
    );
    return {
      system: kithIdentifierSystem('hl7v2', ctx.source, 'admission'),
      value: `${patientKey.system}|${patientKey.value}|${admit}`,
    };
  }
  ctx.issue(
    'warning',
    HL7_ERROR.requiredFieldMissing,
    pv1,
    19,
    'no visit number (PV1-19), account number (PID-18) or admit time (PV1-44): the encounter is not mapped, since a later message could not be matched to it',
  );
  return undefined;
}

const withType = (id: Identifier, code: string): Identifier =>
  id.type ? id : { ...id, type: { coding: [{ system: SYSTEMS.identifierType, code }] } };

/** A08 carries no status of its own: read it from what PV1 says happened. */
function statusFromPv1(pv1: Segment, started: boolean, ended: boolean): Encounter['status'] {
  if (ended) return 'finished';
  if (started) return 'in-progress';
  if (pv1.get(2).trim().toUpperCase() === 'P') return 'planned';
  return 'unknown';
}

function encounterClass(ctx: Hl7Context, pv1: Segment): Coding {
  const code = pv1.get(2).trim().toUpperCase();
  if (!code) return { system: SYSTEMS.v3NullFlavor, code: 'UNK', display: 'unknown' };
  return (
    translateCoding(CONCEPT_MAPS.v2PatientClass, SYSTEMS.v2('0004'), code, SYSTEMS.v3ActCode, ctx.registry) ??
    // Encounter.class is bound extensibly: a class with no ActCode equivalent stays a v2-0004 coding.
    localCoding(ctx, CONCEPT_MAPS.v2PatientClass, SYSTEMS.v2('0004'), code)
  );
}

function localCoding(ctx: Hl7Context, map: string, system: string, code: string): Coding {
  const display = sourceDisplay(map, code, ctx.registry);
  return display ? { system, code, display } : { system, code };
}
