import type { Consent } from '@medplum/fhirtypes';
import { inPeriod, periodEnd, periodStart } from './period';

/**
 * Whether a Consent is in force now: status `active` (a revoked consent is `inactive`), scope
 * patient-privacy, and now within its base provision's period when it has one.
 */
export function isConsentActive(consent: Consent, now: Date = new Date()): boolean {
  if (consent.status !== 'active') return false;
  if (!(consent.scope?.coding ?? []).some((c) => c.code === 'patient-privacy')) return false;
  const period = consent.provision?.period;
  return inPeriod(now, periodStart(period?.start), periodEnd(period?.end));
}

/** The consents in force now, newest first (by dateTime). */
export function activeConsents(consents: Consent[], now: Date = new Date()): Consent[] {
  return consents
    .filter((c) => isConsentActive(c, now))
    .sort((a, b) => (Date.parse(b.dateTime ?? '') || 0) - (Date.parse(a.dateTime ?? '') || 0));
}
