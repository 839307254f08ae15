import type { Bundle, Consent, HealthcareService, ServiceRequest, Task } from '@medplum/fhirtypes';
import { SDOH_SYSTEM, sdohDisplay } from './sdoh';

/** What the sender chose on the referral form. */
export interface ReferralDraft {
  /** `Patient/<id>` */
  patient: string;
  /** The person's name, kept as the display of Task.for for the worklists. */
  patientName?: string;
  service: HealthcareService;
  /** The receiving organization: the service's `providedBy`. */
  owner: { reference: string; display?: string };
  /** The sending organization. */
  requester: { reference: string; display?: string };
  /** SDOH domain code (Gravity temporary codes). */
  category: string;
  /** The assessed need, in the sender's words. */
  reason: string;
  /**
   * The person's recorded health concerns (Condition) or assessed needs this referral is for:
   * ServiceRequest.reasonReference, and shared with the receiver under the referral's consent.
   */
  reasons?: { reference: string; display?: string }[];
  /** The person agreed to share the referral with the receiving organization. */
  consent: boolean;
  note?: string;
}

const SR_URL = 'urn:uuid:00000000-0000-4000-8000-00000000a001';
const TASK_URL = 'urn:uuid:00000000-0000-4000-8000-00000000a002';
const CONSENT_URL = 'urn:uuid:00000000-0000-4000-8000-00000000a003';

/**
 * The referral as one transaction, per the Gravity SDOH Clinical Care guide: a ServiceRequest
 * (SDOH category, the service as code, the reason in words and the health concerns it is for, the
 * consent as supporting information) and a
 * Task (intent order, code fulfill, focus the request, for the person, requester, owner the
 * receiving organization, status requested). The consent is a patient-privacy permit for the
 * receiving organization limited to the referral's own request, task and the health concerns it
 * names, so only what the referral needs is shared.
 */
export function referralTransaction(d: ReferralDraft, now = new Date()): Bundle {
  const category = { coding: [{ system: SDOH_SYSTEM, code: d.category, display: sdohDisplay(d.category) }] };
  const serviceCode = {
    coding: (d.service.type ?? []).flatMap((t) => t.coding ?? []).slice(0, 3),
    text: d.service.name,
  };
  const authoredOn = now.toISOString();
  const reasons = d.reasons ?? [];
  const nextYear = new Date(now.getTime() + 365 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  const consent: Consent = {
    resourceType: 'Consent',
    status: 'active',
    scope: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
    },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: d.patient },
    dateTime: authoredOn,
    organization: [d.requester],
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: {
      type: 'permit',
      period: { start: authoredOn.slice(0, 10), end: nextYear },
      actor: [
        {
          role: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }],
          },
          reference: d.owner,
        },
      ],
      purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'CAREMGT' }],
      data: [
        { meaning: 'instance', reference: { reference: SR_URL } },
        { meaning: 'instance', reference: { reference: TASK_URL } },
        ...reasons.map((r) => ({ meaning: 'instance' as const, reference: { reference: r.reference } })),
      ],
    },
  };
  const request: ServiceRequest = {
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    category: [category],
    code: serviceCode,
    subject: { reference: d.patient },
    authoredOn,
    requester: d.requester,
    performer: [{ reference: `HealthcareService/${d.service.id}`, display: d.service.name }, d.owner],
    ...(d.reason ? { reasonCode: [{ text: d.reason }] } : {}),
    ...(reasons.length ? { reasonReference: reasons } : {}),
    ...(d.consent
      ? {
          supportingInfo: [
            { reference: CONSENT_URL, display: 'Consent to share with the receiving organization' },
          ],
        }
      : {}),
    ...(d.note ? { note: [{ text: d.note }] } : {}),
  };
  const task: Task = {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    priority: 'routine',
    code: {
      coding: [
        {
          system: 'http://hl7.org/fhir/CodeSystem/task-code',
          code: 'fulfill',
          display: 'Fulfill the focal request',
        },
      ],
    },
    description: `${sdohDisplay(d.category)}: ${d.service.name ?? 'service'}`,
    focus: { reference: SR_URL },
    for: { reference: d.patient, ...(d.patientName ? { display: d.patientName } : {}) },
    authoredOn,
    requester: d.requester,
    owner: d.owner,
  };
  const post = (fullUrl: string, resource: Consent | ServiceRequest | Task) => ({
    fullUrl,
    resource,
    request: { method: 'POST' as const, url: resource.resourceType },
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [...(d.consent ? [post(CONSENT_URL, consent)] : []), post(SR_URL, request), post(TASK_URL, task)],
  };
}

/** The new Task's id from the transaction response (its entry follows the request order). */
export function createdTaskId(response: Bundle, draft: ReferralDraft): string | undefined {
  const entry = response.entry?.[draft.consent ? 2 : 1];
  const loc = entry?.response?.location ?? '';
  return (
    /Task\/([^/]+)/.exec(loc)?.[1] ??
    (entry?.resource?.resourceType === 'Task' ? entry.resource.id : undefined)
  );
}
