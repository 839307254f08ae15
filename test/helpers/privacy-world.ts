import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Consent, ConsentProvision, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { FhirService } from '../../src/fhir/service';
import type { Caller, CallerOrganization } from '../../src/privacy/caller';
import { callerApp, clientFor } from '../privacy/policy-setup';
import type { FhirClient } from './http';
import { startTestKith, type TestKith } from './kith';

/**
 * The world the privacy tests stand up: organizations, a person's data, and the consents the
 * policy reads. Each test file keeps its own callers, data and expectations; this holds only the
 * set-up they all repeat.
 */

const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/** The participation role of a consent actor who receives the data (IRCP). */
export const RECIPIENT_ROLE = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }],
};

/** A consent actor: the Organization `orgId` as recipient. */
export const recipientOrganization = (orgId: string) => ({
  role: RECIPIENT_ROLE,
  reference: { reference: `Organization/${orgId}` },
});

/**
 * An active patient-privacy Consent (LOINC 59284-0) of `Patient/<patientId>`, opting in (or out)
 * under `provision`: the shape the consent screen records and the policy reads.
 */
export function privacyConsent(
  id: string,
  patientId: string,
  provision: ConsentProvision,
  rule: 'OPTIN' | 'OPTOUT' = 'OPTIN',
): Consent {
  return {
    resourceType: 'Consent',
    id,
    status: 'active',
    scope: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
    },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { reference: `Patient/${patientId}` },
    policyRule: { coding: [{ system: ACT_CODE, code: rule }] },
    provision,
  };
}

export interface PolicyWorld {
  t: TestKith;
  /** The FHIR routes with the caller chosen per request by `x-test-caller` (see callerApp). */
  app: FastifyInstance;
  /** The FHIR service as the system itself: no policy, no custodian. */
  system: FhirService;
  close(): Promise<void>;
}

/**
 * A test Kith with the callers' app, the organizations, `data` and `consents` stored. `data` is
 * written by the caller `writtenBy` (who becomes its custodian, and the write path labels it) or,
 * without one, by the system; each write must answer 201. Consents are stored by the system.
 */
export async function startPolicyWorld(opts: {
  callers: Record<string, Caller>;
  organizations: CallerOrganization[];
  data: Resource[];
  writtenBy?: string;
  consents: Consent[];
}): Promise<PolicyWorld> {
  const t = await startTestKith();
  const app = await callerApp(t.kith, opts.callers);
  const system = new FhirService(t.kith.store);
  for (const o of opts.organizations)
    await system.update('Organization', o.id, { resourceType: 'Organization', id: o.id, name: o.id });
  if (opts.writtenBy) {
    const writer = clientFor(app, opts.writtenBy);
    for (const r of opts.data) {
      const res = await writer.put(`${r.resourceType}/${r.id}`, r);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  } else {
    for (const r of opts.data) expect((await system.update(r.resourceType, r.id!, r)).status).toBe(201);
  }
  for (const c of opts.consents) await system.update('Consent', c.id!, c);
  // The app first: its routes hold the database that t.close() ends.
  return { t, app, system, close: () => app.close().then(() => t.close()) };
}

/** Puts each resource through `client` (usually the system's), each answering 201 Created. */
export async function putAll(client: FhirClient, data: Resource[]): Promise<void> {
  for (const r of data) {
    const res = await client.put(`${r.resourceType}/${r.id}`, r);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
}

/** Headers of a form post (the authorization page and the token endpoint). */
export const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

/** A form body of the fields that are set. */
export const formBody = (fields: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(fields).filter(([, v]) => v !== undefined) as [string, string][],
  ).toString();

/** A PKCE verifier and its S256 challenge, for an authorization_code sign-in. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
