import type { Attachment, Coding, Consent, ConsentProvision, Patient, Reference } from '@medplum/fhirtypes';

/**
 * The consent screen's decisions as FHIR R4 Consent resources, in the shape the server's consent
 * flattening (src/privacy/consent/flatten.ts) turns into grant rows: scope patient-privacy, one base
 * provision carrying the decision, its recipients (IRCP actors), security labels, resource types,
 * data categories, purposes and period, and nested provisions of the opposite type as its exceptions (e.g. permit
 * organizations X and Y for care coordination, except substance use data, or except organization Y
 * for mental health data). Revoking sets status `inactive`, which removes the grants on the next request.
 */

export const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
export const CONSENT_ACTION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentaction';
export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const PARTICIPATION_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
export const RESOURCE_TYPES_SYSTEM = 'http://hl7.org/fhir/resource-types';
/** Logical recipients: `covered-entities` or `all` (src/privacy/consent/grant.ts ACTOR_GROUP_SYSTEM). */
export const ACTOR_GROUP_SYSTEM = 'https://kith.example.org/fhir/sid/consent-actor-group';
/** Who witnessed the signature: R4 Consent has no element for it. */
export const WITNESS_EXTENSION = 'https://kith.example.org/fhir/StructureDefinition/consent-witness';

/** The data classes a person can decide about: security label codes the policy reads. */
export const DATA_CLASSES: { code: string; system: string; label: string; hint?: string }[] = [
  { code: 'N', system: CONFIDENTIALITY_SYSTEM, label: 'Unrestricted health and social data' },
  {
    code: 'ETH',
    system: ACT_CODE_SYSTEM,
    label: 'Substance use treatment (42 CFR Part 2)',
    hint: 'Shared only with organizations named here, never with a group.',
  },
  { code: 'PSY', system: ACT_CODE_SYSTEM, label: 'Mental health' },
  { code: 'HIV', system: ACT_CODE_SYSTEM, label: 'HIV' },
  { code: 'SDV', system: ACT_CODE_SYSTEM, label: 'Sexual or domestic violence' },
  { code: 'R', system: CONFIDENTIALITY_SYSTEM, label: 'Other restricted data' },
];

/** Purposes of use a consent can be limited to (v3 ActReason). */
export const PURPOSES: { code: string; label: string }[] = [
  { code: 'TREAT', label: 'Treatment' },
  { code: 'COC', label: 'Coordination of care' },
  { code: 'CAREMGT', label: 'Care management' },
  { code: 'HPAYMT', label: 'Payment' },
  { code: 'HOPERAT', label: 'Health care operations' },
];

/** Record types a consent can be limited to; none chosen means every type. */
export const RECORD_TYPES: { code: string; label: string }[] = [
  { code: 'Condition', label: 'Conditions and concerns' },
  { code: 'Observation', label: 'Observations and screenings' },
  { code: 'Encounter', label: 'Visits and stays' },
  { code: 'MedicationStatement', label: 'Medications' },
  { code: 'CarePlan', label: 'Care plans' },
  { code: 'ServiceRequest', label: 'Referrals and orders' },
  { code: 'DocumentReference', label: 'Documents' },
];

/**
 * Data categories a consent can be limited to (`category` of the records, matched by code; with
 * record types chosen too, a record must be of both). None chosen means every category.
 */
export const RECORD_CATEGORIES: { code: string; system: string; label: string }[] = [
  {
    code: 'sdoh',
    system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-category',
    label: 'Social needs (SDOH) assessments',
  },
  {
    code: 'social-history',
    system: 'http://terminology.hl7.org/CodeSystem/observation-category',
    label: 'Social history',
  },
  {
    code: 'health-concern',
    system: 'http://hl7.org/fhir/us/core/CodeSystem/condition-category',
    label: 'Health concerns',
  },
  {
    code: 'problem-list-item',
    system: 'http://terminology.hl7.org/CodeSystem/condition-category',
    label: 'Problem list',
  },
  {
    code: 'vital-signs',
    system: 'http://terminology.hl7.org/CodeSystem/observation-category',
    label: 'Vital signs',
  },
  {
    code: 'laboratory',
    system: 'http://terminology.hl7.org/CodeSystem/observation-category',
    label: 'Laboratory results',
  },
];

export type Recipients =
  | { kind: 'organizations'; organizations: { id: string; name?: string }[] }
  | { kind: 'covered-entities' }
  | { kind: 'anyone' };

/**
 * An exception to the base decision (a nested provision of the opposite type): it names the
 * organizations it is about, the data classes, or both; what it leaves out it takes from the base
 * decision (src/privacy/consent/flatten.ts: a nested provision inherits what it does not state).
 */
export interface ConsentException {
  /** Organizations the exception is about; empty: the base decision's recipients. */
  organizations: { id: string; name?: string }[];
  /** Security label codes from DATA_CLASSES; empty: the base decision's data. */
  dataClasses: string[];
}

export interface ConsentDraft {
  patientId: string;
  decision: 'permit' | 'deny';
  recipients: Recipients;
  /** Security label codes from DATA_CLASSES. */
  dataClasses: string[];
  /** Resource types; empty: all types. */
  recordTypes: string[];
  /** RECORD_CATEGORIES codes; empty or absent: every category. */
  categories?: string[];
  /** PURPOSES codes the decision is limited to; empty: any purpose. */
  purposes: string[];
  /** Exceptions to the decision (nested provisions of the opposite type). */
  exceptions?: ConsentException[];
  /** FHIR dates (YYYY-MM-DD). */
  start?: string;
  end?: string;
  /** Who signed: the person, or a representative named in words. */
  signer: { kind: 'person' } | { kind: 'representative'; name: string; relationship?: string };
  witness?: { reference?: string; display: string };
  /** Organization recording the consent (its custodian). */
  recordedBy?: { reference: string; display?: string };
  attachment?: Attachment;
  /** ISO instant the consent was recorded; defaults to now. */
  recorded?: string;
}

const concept = (system: string, code: string, display?: string) => ({
  coding: [{ system, code, ...(display ? { display } : {}) }],
});

const labelCodings = (codes: string[]): Coding[] =>
  DATA_CLASSES.filter((c) => codes.includes(c.code)).map((c) => ({
    system: c.system,
    code: c.code,
    display: c.label,
  }));

function actors(recipients: Recipients): ConsentProvision['actor'] {
  const role = concept(PARTICIPATION_TYPE_SYSTEM, 'IRCP', 'information recipient');
  if (recipients.kind === 'organizations')
    return recipients.organizations.map((o) => ({
      role,
      reference: { reference: `Organization/${o.id}`, ...(o.name ? { display: o.name } : {}) },
    }));
  const value = recipients.kind === 'covered-entities' ? 'covered-entities' : 'all';
  const display = recipients.kind === 'covered-entities' ? 'All HIPAA covered entities' : 'Anyone';
  return [{ role, reference: { identifier: { system: ACTOR_GROUP_SYSTEM, value }, display } }];
}

/** What is wrong with a draft before it can be recorded, in words for the form; empty when none. */
export function draftProblems(draft: ConsentDraft): string[] {
  const problems: string[] = [];
  if (draft.recipients.kind === 'organizations' && !draft.recipients.organizations.length)
    problems.push('Choose at least one organization, or all covered entities.');
  if (!draft.dataClasses.length) problems.push('Choose at least one kind of data.');
  if (draft.start && draft.end && draft.end < draft.start) problems.push('The end date is before the start.');
  if (draft.signer.kind === 'representative' && !draft.signer.name.trim())
    problems.push('Give the name of the representative who signed.');
  if (
    draft.decision === 'permit' &&
    draft.dataClasses.includes('ETH') &&
    draft.recipients.kind !== 'organizations'
  )
    problems.push('Substance use treatment data can be shared only with organizations named one by one.');
  (draft.exceptions ?? []).forEach((x, i) => {
    const n = i + 1;
    if (!x.organizations.length && !x.dataClasses.length)
      problems.push(`Exception ${n}: choose the organizations or the kinds of data it is about.`);
    const permits = draft.decision === 'deny';
    const data = x.dataClasses.length ? x.dataClasses : draft.dataClasses;
    const named = x.organizations.length > 0 || draft.recipients.kind === 'organizations';
    if (permits && data.includes('ETH') && !named)
      problems.push(
        `Exception ${n}: substance use treatment data can be shared only with organizations named one by one.`,
      );
  });
  return problems;
}

/** The Consent resource for a draft (to POST to /fhir/Consent). */
export function buildConsent(draft: ConsentDraft): Consent {
  const patient: Reference<Patient> = { reference: `Patient/${draft.patientId}` };
  const signer: NonNullable<Consent['performer']>[number] =
    draft.signer.kind === 'person'
      ? patient
      : {
          display: draft.signer.relationship?.trim()
            ? `${draft.signer.name.trim()} (${draft.signer.relationship.trim()})`
            : draft.signer.name.trim(),
        };
  const labels = labelCodings(draft.dataClasses);
  const purposes = PURPOSES.filter((p) => draft.purposes.includes(p.code));
  const exceptionType = draft.decision === 'permit' ? 'deny' : 'permit';
  const exceptions: ConsentProvision[] = (draft.exceptions ?? [])
    .filter((x) => x.organizations.length || x.dataClasses.length)
    .map((x) => ({
      type: exceptionType,
      ...(x.organizations.length
        ? { actor: actors({ kind: 'organizations', organizations: x.organizations }) }
        : {}),
      ...(x.dataClasses.length ? { securityLabel: labelCodings(x.dataClasses) } : {}),
    }));
  const period =
    draft.start || draft.end
      ? { ...(draft.start ? { start: draft.start } : {}), ...(draft.end ? { end: draft.end } : {}) }
      : undefined;
  const recorded = draft.recorded ?? new Date().toISOString();
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: concept(CONSENT_SCOPE_SYSTEM, 'patient-privacy', 'Privacy Consent'),
    category: [
      concept('http://loinc.org', '59284-0', 'Patient Consent'),
      concept(ACT_CODE_SYSTEM, 'IDSCL', 'information disclosure'),
    ],
    patient,
    dateTime: recorded,
    performer: [signer],
    ...(draft.recordedBy ? { organization: [draft.recordedBy] } : {}),
    ...(draft.witness
      ? {
          extension: [
            {
              url: WITNESS_EXTENSION,
              valueReference: {
                ...(draft.witness.reference ? { reference: draft.witness.reference } : {}),
                display: draft.witness.display,
              },
            },
          ],
        }
      : {}),
    policyRule: concept(
      ACT_CODE_SYSTEM,
      draft.decision === 'permit' ? 'OPTIN' : 'OPTOUT',
      draft.decision === 'permit' ? 'opt-in' : 'opt-out',
    ),
    ...(draft.attachment ? { sourceAttachment: draft.attachment } : {}),
    verification: [{ verified: true, verificationDate: recorded }],
    provision: {
      type: draft.decision,
      ...(period ? { period } : {}),
      actor: actors(draft.recipients),
      action: [concept(CONSENT_ACTION_SYSTEM, 'disclose', 'Disclose')],
      securityLabel: labels,
      ...(purposes.length
        ? { purpose: purposes.map((p) => ({ system: ACT_REASON_SYSTEM, code: p.code, display: p.label })) }
        : {}),
      ...(draft.recordTypes.length || draft.categories?.length
        ? {
            class: [
              ...draft.recordTypes.map((code) => ({ system: RESOURCE_TYPES_SYSTEM, code })),
              ...RECORD_CATEGORIES.filter((c) => draft.categories?.includes(c.code)).map((c) => ({
                system: c.system,
                code: c.code,
                display: c.label,
              })),
            ],
          }
        : {}),
      ...(exceptions.length ? { provision: exceptions } : {}),
    },
  };
}

/** The same consent, revoked: status `inactive` (its grants are removed in the same write). */
export function revokedConsent(consent: Consent): Consent {
  return { ...consent, status: 'inactive' };
}
