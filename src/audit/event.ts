import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from '@medplum/fhirtypes';
import type { Caller } from '../privacy/caller';

/** What happened, in Kith's words; each maps to an AuditEvent type and subtype. */
export type AuditAction =
  | 'read'
  | 'vread'
  | 'search'
  | 'history'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'operation'
  | 'transaction'
  | 'login'
  | 'logout'
  | 'login-failed'
  | 'export'
  | 'consent-change'
  | 'break-glass'
  | 'denied';

export type AuditOutcome = 'success' | 'minor-failure' | 'serious-failure' | 'major-failure';

/** The friendly shape callers fill in; `buildAuditEvent` turns it into a FHIR R4 AuditEvent. */
export interface AuditInput {
  action: AuditAction;
  /** Default: success, except login-failed and denied (minor-failure). */
  outcome?: AuditOutcome;
  outcomeDescription?: string;
  /** Who acted (from the request). */
  caller?: Caller;
  /** Who acted, when there is no Caller: e.g. the username typed in a failed sign-in. */
  who?: { id?: string; display?: string; kind?: 'user' | 'client' };
  /** Default: the caller's purpose of use. */
  purposeOfUse?: string;
  /** Resources touched: `Observation/1`, `Observation/1/_history/2`. */
  resources?: string[];
  /** People whose data this concerns: `Patient/1` (kept for the accounting of disclosures). */
  patients?: string[];
  /** The search or operation request, e.g. `Observation?patient=1&_include=...`. */
  query?: string;
  /** The REST interaction a denied request attempted (read, search ...). */
  interaction?: AuditAction;
  /** Operation name for `operation` and `export`, e.g. `$export`, `$everything`. */
  operation?: string;
  /** Break-glass reason, denial reason, consent decision ... */
  reason?: string;
  /** Client address and software. */
  network?: { address?: string; userAgent?: string };
  /** Other facts worth keeping (grant type, rule version ...), as entity details. */
  details?: Record<string, string>;
  /** Set by the recorder when absent. */
  id?: string;
  recorded?: string;
}

export const KITH_AUDIT_SYSTEM = 'https://kith.example.org/fhir/CodeSystem/audit-event-type';
export const KITH_USER_SYSTEM = 'https://kith.example.org/fhir/NamingSystem/user';
export const KITH_CLIENT_SYSTEM = 'https://kith.example.org/fhir/NamingSystem/client';
export const AGENT_ORGANIZATION_EXT = 'https://kith.example.org/fhir/StructureDefinition/agent-organization';

const AUDIT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const REST = 'http://hl7.org/fhir/restful-interaction';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const ROLE_TYPE = 'http://terminology.hl7.org/CodeSystem/extra-security-role-type';
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

const REST_CODE: Partial<Record<AuditAction, string>> = {
  read: 'read',
  vread: 'vread',
  search: 'search-type',
  history: 'history-instance',
  create: 'create',
  update: 'update',
  patch: 'patch',
  delete: 'delete',
  operation: 'operation',
  transaction: 'transaction',
  export: 'operation',
};

const FHIR_ACTION: Record<AuditAction, AuditEvent['action']> = {
  read: 'R',
  vread: 'R',
  search: 'E',
  history: 'R',
  create: 'C',
  update: 'U',
  patch: 'U',
  delete: 'D',
  operation: 'E',
  transaction: 'E',
  login: 'E',
  logout: 'E',
  'login-failed': 'E',
  export: 'R',
  'consent-change': 'U',
  'break-glass': 'E',
  denied: 'E',
};

const OUTCOME: Record<AuditOutcome, AuditEvent['outcome']> = {
  success: '0',
  'minor-failure': '4',
  'serious-failure': '8',
  'major-failure': '12',
};

function eventType(action: AuditAction): Coding {
  if (action === 'login' || action === 'logout' || action === 'login-failed')
    return { system: DCM, code: '110114', display: 'User Authentication' };
  if (action === 'export') return { system: DCM, code: '110106', display: 'Export' };
  if (action === 'consent-change' || action === 'break-glass' || action === 'denied')
    return { system: KITH_AUDIT_SYSTEM, code: action };
  return { system: AUDIT_TYPE, code: 'rest', display: 'RESTful Operation' };
}

function subtypes(input: AuditInput): Coding[] {
  const out: Coding[] = [{ system: KITH_AUDIT_SYSTEM, code: input.action }];
  const a = input.action;
  if (a === 'login' || a === 'login-failed') out.push({ system: DCM, code: '110122', display: 'Login' });
  if (a === 'logout') out.push({ system: DCM, code: '110123', display: 'Logout' });
  const rest = REST_CODE[a === 'denied' && input.interaction ? input.interaction : a];
  if (rest) {
    const systemWide = (a === 'search' || input.interaction === 'search') && !input.query?.match(/^[A-Z]/);
    out.push({ system: REST, code: rest === 'search-type' && systemWide ? 'search-system' : rest });
  }
  return out;
}

const purpose = (code: string) => [{ coding: [{ system: ACT_REASON, code }] }];

function agents(input: AuditInput, purposeOfUse: string | undefined): AuditEventAgent[] {
  const c = input.caller;
  const kind = c?.kind ?? input.who?.kind ?? 'user';
  const subject = c?.subject ?? input.who?.id;
  const display = c?.displayName ?? input.who?.display;
  const agent: AuditEventAgent = {
    type: {
      coding: [
        kind === 'client'
          ? { system: ROLE_TYPE, code: 'dataprocessor', display: 'data processor' }
          : { system: ROLE_TYPE, code: 'humanuser', display: 'human user' },
      ],
    },
    who: {
      ...(c?.practitionerRole ? { reference: c.practitionerRole } : {}),
      ...(subject
        ? {
            identifier: { system: kind === 'client' ? KITH_CLIENT_SYSTEM : KITH_USER_SYSTEM, value: subject },
          }
        : {}),
      ...(display ? { display } : {}),
    },
    requestor: true,
  };
  if (input.who?.display && !c) agent.altId = input.who.display;
  if (c?.organization)
    agent.extension = [
      {
        url: AGENT_ORGANIZATION_EXT,
        valueReference: { reference: `Organization/${c.organization.id}`, display: c.organization.kind },
      },
    ];
  if (input.network?.address) agent.network = { address: input.network.address, type: '2' };
  if (purposeOfUse) agent.purposeOfUse = purpose(purposeOfUse);
  const list = [agent];
  if (c?.clientId)
    list.push({
      type: { coding: [{ system: ROLE_TYPE, code: 'dataprocessor', display: 'data processor' }] },
      who: { identifier: { system: KITH_CLIENT_SYSTEM, value: c.clientId } },
      requestor: false,
    });
  return list;
}

const base64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function entities(input: AuditInput): AuditEventEntity[] {
  const out: AuditEventEntity[] = [];
  for (const p of new Set(input.patients ?? []))
    out.push({
      what: { reference: p },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  for (const r of new Set(input.resources ?? []))
    out.push({ what: { reference: r }, type: { system: ENTITY_TYPE, code: '2', display: 'System Object' } });
  const details = Object.entries({
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.operation ? { operation: input.operation } : {}),
    ...(input.network?.userAgent ? { 'user-agent': input.network.userAgent } : {}),
    ...(input.details ?? {}),
  }).map(([type, valueString]) => ({ type, valueString }));
  if (input.query !== undefined || details.length)
    out.push({
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      ...(input.query !== undefined ? { query: base64(input.query), description: input.query } : {}),
      ...(details.length ? { detail: details } : {}),
    });
  return out;
}

/** Normalizes a patient reference: `123` and `Patient/123/_history/2` both become `Patient/123`. */
export function patientRef(ref: string): string {
  const m = /^(?:.*\/)?Patient\/([^/]+)/.exec(ref);
  return m ? `Patient/${m[1]}` : `Patient/${ref}`;
}

/** Builds the FHIR R4 AuditEvent for an input (id and recorded filled in when absent). */
export function buildAuditEvent(input: AuditInput): AuditEvent {
  const outcome =
    input.outcome ??
    (input.action === 'login-failed' || input.action === 'denied' ? 'minor-failure' : 'success');
  const purposeOfUse = input.purposeOfUse ?? input.caller?.purposeOfUse;
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    id: input.id ?? randomUUID(),
    type: eventType(input.action),
    subtype: subtypes(input),
    action: FHIR_ACTION[input.action],
    recorded: input.recorded ?? new Date().toISOString(),
    outcome: OUTCOME[outcome],
    agent: agents({ ...input, patients: input.patients?.map(patientRef) }, purposeOfUse),
    source: {
      observer: { display: 'Kith' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
  };
  if (input.outcomeDescription) event.outcomeDesc = input.outcomeDescription;
  if (purposeOfUse) event.purposeOfEvent = purpose(purposeOfUse);
  const ents = entities({ ...input, patients: input.patients?.map(patientRef) });
  if (ents.length) event.entity = ents;
  return event;
}

/** The patients an AuditEvent concerns: entities that are `Patient/...` references. */
export function patientsOf(event: AuditEvent): string[] {
  const out = new Set<string>();
  for (const e of event.entity ?? []) {
    const ref = e.what?.reference;
    if (ref && /^Patient\/[^/]+/.test(ref)) out.add(patientRef(ref));
  }
  return [...out].sort();
}

/** Kith's action code of an AuditEvent (its Kith subtype), or the type code for foreign events. */
export function actionOf(event: AuditEvent): string {
  return event.subtype?.find((c) => c.system === KITH_AUDIT_SYSTEM)?.code ?? event.type?.code ?? 'other';
}
