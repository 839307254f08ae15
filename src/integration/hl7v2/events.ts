import type { Encounter } from '../fhir/types';

/**
 * What each supported ADT trigger event means for the Encounter. The Patient is always upserted
 * from PID; these rules decide whether an Encounter is touched and which status it gets.
 * Status follows the HL7 v2-to-FHIR event semantics: a cancel undoes the event it cancels.
 */
export interface AdtEventRule {
  description: string;
  /** undefined: person-only event, no Encounter (A28/A31 carry a placeholder PV1). */
  encounterStatus?: Encounter['status'] | 'from-pv1';
  /** A02: PV1-6 (prior location) becomes a completed location entry. */
  transfer?: boolean;
  /** A13: the discharge is cancelled, so end time and disposition are removed. */
  cancelsDischarge?: boolean;
  /** A01/A04: without PV1-44 the event time (EVN-6, then EVN-2) is the admit time. */
  startsEncounter?: boolean;
  /** A03: without PV1-45 the event time (EVN-6, then EVN-2) is the discharge time. */
  endsEncounter?: boolean;
}

export const ADT_EVENTS: Record<string, AdtEventRule> = {
  A01: { description: 'admit/visit notification', encounterStatus: 'in-progress', startsEncounter: true },
  A02: { description: 'transfer a patient', encounterStatus: 'in-progress', transfer: true },
  A03: { description: 'discharge/end visit', encounterStatus: 'finished', endsEncounter: true },
  A04: { description: 'register a patient', encounterStatus: 'arrived', startsEncounter: true },
  A05: { description: 'pre-admit a patient', encounterStatus: 'planned' },
  A08: { description: 'update patient information', encounterStatus: 'from-pv1' },
  A11: { description: 'cancel admit/visit notification', encounterStatus: 'cancelled' },
  A13: { description: 'cancel discharge/end visit', encounterStatus: 'in-progress', cancelsDischarge: true },
  A28: { description: 'add person information' },
  A31: { description: 'update person information' },
};

/** Message types and trigger events Kith maps. Anything else is refused with AR (HL7 error 200/201). */
export const SUPPORTED_EVENTS: Record<string, readonly string[]> = {
  ADT: [...Object.keys(ADT_EVENTS), 'A40'],
  ORU: ['R01'],
};

/** The trigger event: MSH-9.2, or EVN-1 for old senders that put only 'ADT' in MSH-9. */
export function triggerEventOf(messageType: string, mshEvent: string, evnEvent: string | undefined): string {
  if (mshEvent) return mshEvent.toUpperCase();
  return messageType.toUpperCase() === 'ADT' && evnEvent ? evnEvent.toUpperCase() : '';
}
