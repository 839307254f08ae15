import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import {
  ACTOR_GROUP_SYSTEM,
  DATA_CLASSES,
  PURPOSES,
  RECORD_CATEGORIES,
  RECORD_TYPES,
  WITNESS_EXTENSION,
} from './consent-resource';

/** Where a consent stands today, as the consent list shows it. */
export type ConsentState = 'active' | 'revoked' | 'expired' | 'not-yet' | 'other';

export interface ProvisionSummary {
  decision: 'Permits' | 'Denies';
  recipients: string;
  data: string;
  purposes: string;
}

export interface ConsentSummary {
  id?: string;
  state: ConsentState;
  stateText: string;
  provision: ProvisionSummary;
  /** Nested provisions: exceptions to the base decision. */
  exceptions: ProvisionSummary[];
  period: string;
  signedBy?: string;
  witness?: string;
  recordedBy?: string;
  recorded?: string;
  attachment?: { title: string; href?: string };
}

const LABEL_NAMES: Record<string, string> = {
  ...Object.fromEntries(DATA_CLASSES.map((c) => [c.code, c.label])),
  V: 'Very restricted data',
  '42CFRPart2': 'Substance use treatment (42 CFR Part 2)',
  ETHUD: 'Substance use treatment (42 CFR Part 2)',
  BH: 'Mental health',
  STD: 'Sexually transmitted diseases',
};
const TYPE_NAMES: Record<string, string> = Object.fromEntries([
  ...RECORD_TYPES.map((t) => [t.code, t.label]),
  ...RECORD_CATEGORIES.map((c) => [c.code, c.label]),
]);
const PURPOSE_NAMES: Record<string, string> = {
  ...Object.fromEntries(PURPOSES.map((p) => [p.code, p.label])),
  CAREMGT: 'Care management',
  ETREAT: 'Emergency treatment',
};

/** A date-only FHIR date in words (the server's dates are UTC; a consent's period is a day range). */
function day(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return value;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

function provisionSummary(p: ConsentProvision, parent?: ProvisionSummary): ProvisionSummary {
  const recipients = (p.actor ?? []).map((a) => {
    const group =
      a.reference?.identifier?.system === ACTOR_GROUP_SYSTEM ? a.reference.identifier.value : undefined;
    if (group === 'covered-entities') return 'all HIPAA covered entities';
    if (group === 'all') return 'anyone';
    return a.reference?.display ?? a.reference?.reference ?? 'an unnamed recipient';
  });
  const labels = (p.securityLabel ?? []).map((l) => LABEL_NAMES[l.code ?? ''] ?? l.display ?? l.code ?? '?');
  const types = (p.class ?? []).map((c) => TYPE_NAMES[c.code ?? ''] ?? c.code ?? '?');
  const data = [
    labels.length ? labels.join(', ') : undefined,
    types.length ? `only ${types.join(', ')}` : undefined,
  ]
    .filter(Boolean)
    .join('; ');
  const purposes = (p.purpose ?? []).map((c) => PURPOSE_NAMES[c.code ?? ''] ?? c.display ?? c.code ?? '?');
  return {
    decision:
      (p.type ?? (parent?.decision === 'Denies' ? 'deny' : 'permit')) === 'deny' ? 'Denies' : 'Permits',
    recipients: recipients.length ? recipients.join(', ') : (parent?.recipients ?? 'anyone'),
    data: data || (parent?.data ?? 'unrestricted data'),
    purposes: purposes.length ? purposes.join(', ') : (parent?.purposes ?? 'any purpose'),
  };
}

function stateOf(consent: Consent, now: Date): { state: ConsentState; text: string } {
  if (consent.status === 'inactive') return { state: 'revoked', text: 'Revoked' };
  if (consent.status !== 'active') return { state: 'other', text: consent.status ?? 'Unknown' };
  const period = consent.provision?.period;
  const today = now.toISOString().slice(0, 10);
  if (period?.end && period.end.slice(0, 10) < today) return { state: 'expired', text: 'Expired' };
  if (period?.start && period.start.slice(0, 10) > today)
    return { state: 'not-yet', text: 'Not yet in force' };
  return { state: 'active', text: 'In force' };
}

/** A consent in words for the consent list. */
export function summarizeConsent(consent: Consent, now: Date = new Date()): ConsentSummary {
  const base = consent.provision ?? {};
  const provision = provisionSummary(base);
  const { state, text } = stateOf(consent, now);
  const period = base.period;
  const witness = consent.extension?.find((e) => e.url === WITNESS_EXTENSION)?.valueReference;
  const signer = consent.performer?.[0];
  const att = consent.sourceAttachment;
  return {
    id: consent.id,
    state,
    stateText: text,
    provision,
    exceptions: (base.provision ?? []).map((p) => provisionSummary(p, provision)),
    period:
      period?.start || period?.end
        ? `${day(period.start) ?? 'open start'} to ${day(period.end) ?? 'no end date'}`
        : 'No end date',
    signedBy:
      signer?.reference && signer.reference === consent.patient?.reference
        ? 'The person'
        : (signer?.display ?? signer?.reference),
    witness: witness?.display ?? witness?.reference,
    recordedBy: consent.organization?.[0]?.display ?? consent.organization?.[0]?.reference,
    recorded: day(consent.dateTime),
    attachment: att
      ? {
          title: att.title ?? 'Signed form',
          href: att.data
            ? `data:${att.contentType ?? 'application/octet-stream'};base64,${att.data}`
            : att.url && /^https?:/.test(att.url)
              ? att.url
              : undefined,
        }
      : undefined,
  };
}
