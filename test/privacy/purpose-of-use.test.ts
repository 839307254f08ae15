// Purpose of use chosen at sign-in (web sign-in, the authorization page and token requests): the
// policy's `purposesOfUse` says which purposes an organization kind and role may open a session for;
// the token carries the choice, the access policy decides with it and the audit records it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consent, Resource } from '@medplum/fhirtypes';
import { decodeJwt } from 'jose';
import { startTestKith, type TestKith } from '../helpers/kith';
import { fhirClient } from '../helpers/http';
import {
  FORM_HEADERS,
  formBody,
  pkcePair,
  privacyConsent,
  putAll,
  RECIPIENT_ROLE,
} from '../helpers/privacy-world';
import { createClient, createUser } from '../../src/privacy/auth';
import { allowedPurposes, defaultPolicy, purposeProblem, validatePolicy } from '../../src/privacy/policy';

const LOINC = 'http://loinc.org';
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const GROUP = 'https://kith.example.org/fhir/sid/consent-actor-group';
const PASSWORD = 'purpose-test-password';
const FOODBANK = { id: 'foodbank', kind: 'cbo' as const, hipaaCoveredEntity: false, part2Program: false };
const CLINIC = { id: 'clinic', kind: 'provider' as const, hipaaCoveredEntity: true, part2Program: false };
const REDIRECT = 'https://app.example.org/callback';

function consent(
  id: string,
  type: 'permit' | 'deny',
  actor: { reference: string } | { identifier: { system: string; value: string } },
  purpose: string,
): Consent {
  return privacyConsent(
    id,
    'p1',
    {
      type,
      actor: [{ role: RECIPIENT_ROLE, reference: actor }],
      purpose: [{ system: ACT_REASON, code: purpose }],
    },
    type === 'permit' ? 'OPTIN' : 'OPTOUT',
  );
}

let t: TestKith;

const login = (username: string, purposeOfUse?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { username, password: PASSWORD, ...(purposeOfUse ? { purposeOfUse } : {}) },
  });

async function auditRows(): Promise<{ action: string; e: any }[]> {
  await (t.kith.store.access as any).flush();
  const { rows } = await t.kith.db.query(`select action, event from audit_events order by seq`);
  return rows.map((r) => ({ action: r.action, e: JSON.parse(r.event) }));
}
const who = (e: any) => e.agent?.[0]?.who?.identifier?.value;
const purposeOf = (e: any) => e.purposeOfEvent?.[0]?.coding?.[0]?.code;

let foodbankId: string;
let clinicId: string;

beforeAll(async () => {
  t = await startTestKith();
  const db = t.kith.db;
  foodbankId = (
    await createUser(db, {
      username: 'foodbank.worker',
      password: PASSWORD,
      displayName: 'Guadalupe Reyes',
      organization: FOODBANK,
      practitionerRole: 'PractitionerRole/role-foodbank',
      accessLevel: 'exchange',
      purposeOfUse: 'COC',
    })
  ).id;
  clinicId = (
    await createUser(db, {
      username: 'clinic.nurse',
      password: PASSWORD,
      displayName: 'Samuel Okafor',
      organization: CLINIC,
      practitionerRole: 'PractitionerRole/role-clinic',
      accessLevel: 'edit',
      purposeOfUse: 'TREAT',
    })
  ).id;
  await createClient(db, {
    clientId: 'foodbank-bridge',
    name: 'Food bank bridge',
    secret: 'foodbank-bridge-secret-123',
    scope: 'system/*.rs',
    organization: FOODBANK,
    accessLevel: 'view-only',
    purposeOfUse: 'COC',
  });
  await createClient(db, {
    clientId: 'clinic-app',
    name: 'Clinic app',
    redirectUris: [REDIRECT],
    grantTypes: ['authorization_code', 'refresh_token'],
    scope: 'openid user/*.rs offline_access',
  });
  const system = fhirClient(t.app);
  const data: Resource[] = [
    { resourceType: 'Organization', id: 'foodbank', name: 'Food bank' },
    { resourceType: 'Organization', id: 'clinic', name: 'Clinic' },
    { resourceType: 'Patient', id: 'p1', name: [{ family: 'Purposeperson' }] },
    {
      resourceType: 'Observation',
      id: 'obs-1',
      status: 'final',
      code: { coding: [{ system: LOINC, code: '8867-4' }] },
      subject: { reference: 'Patient/p1' },
    },
    consent('consent-foodbank', 'permit', { reference: 'Organization/foodbank' }, 'COC'),
    // The person refuses that covered entities use their data for payment.
    consent(
      'consent-no-payment',
      'deny',
      { identifier: { system: GROUP, value: 'covered-entities' } },
      'HPAYMT',
    ),
  ];
  await putAll(system, data);
}, 120_000);
afterAll(async () => t?.close());

describe('the policy says which purposes a session may be opened for', () => {
  it('by organization kind and role, with the account default; break-glass never', () => {
    expect(allowedPurposes({ organization: { kind: 'cbo' }, roles: [] })).toEqual(['CAREMGT', 'COC']);
    expect(allowedPurposes({ organization: { kind: 'health-plan' }, roles: [] })).not.toContain('TREAT');
    expect(allowedPurposes({ organization: { kind: 'provider' }, roles: [] })).toContain('TREAT');
    expect(allowedPurposes({ roles: ['administrator'] })).toEqual(['HOPERAT', 'HSYSADMIN']);
    expect(allowedPurposes({ organization: { kind: 'cbo' }, roles: [], purposeOfUse: 'HOPERAT' })).toContain(
      'HOPERAT',
    );
    expect(purposeProblem({ organization: { kind: 'cbo' }, roles: [] }, 'TREAT')).toBe(
      'Staff of a community-based organization may not sign in for treatment (TREAT); choose one of: care management (CAREMGT), coordination of care (COC)',
    );
    expect(purposeProblem({ organization: { kind: 'provider' }, roles: [] }, 'ETREAT')).toMatch(
      /break-glass/,
    );
    const broken = structuredClone(defaultPolicy) as any;
    broken.purposesOfUse.byKind.provider.push('ETREAT');
    broken.purposesOfUse.byKind.hospital = ['TREAT'];
    const v = validatePolicy(broken);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.errors).toEqual([
      'purposesOfUse.byKind.hospital: unknown organization kind; one of county-agency, cbo, state, health-plan, provider',
      'purposesOfUse: ETREAT is break-glass: it is granted, never chosen at sign-in',
    ]);
  });

  it('GET /auth/purposes (no token) lists what a sign-in page offers, in words', async () => {
    const res = await t.app.inject({ url: '/auth/purposes' });
    expect(res.statusCode).toBe(200);
    const list = res.json() as { code: string; name: string }[];
    expect(list.map((p) => p.code)).toEqual(
      expect.arrayContaining(['TREAT', 'CAREMGT', 'COC', 'HPAYMT', 'HOPERAT']),
    );
    expect(list.map((p) => p.code)).not.toContain('ETREAT');
    expect(list.find((p) => p.code === 'COC')?.name).toBe('coordination of care');
  });
});

describe('web sign-in with a chosen purpose', () => {
  it('refuses a CBO user signing in for treatment, says which purposes they may choose, and audits it', async () => {
    const res = await login('foodbank.worker', 'TREAT');
    expect(res.statusCode).toBe(403);
    expect(res.json().resourceType).toBe('OperationOutcome');
    expect(res.json().issue[0].diagnostics).toBe(
      'Staff of a community-based organization may not sign in for treatment (TREAT); choose one of: coordination of care (COC), care management (CAREMGT)',
    );
    expect(res.headers['set-cookie']).toBeUndefined();
    const failed = (await auditRows()).filter((r) => r.action === 'login-failed').at(-1)!;
    expect(failed.e.outcomeDesc).toBe('purpose-not-allowed');
    expect(who(failed.e)).toBe(foodbankId);
  });

  it('issues a token carrying the chosen purpose; reads are decided and audited with it', async () => {
    const res = await login('foodbank.worker', 'CAREMGT');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user.purposeOfUse).toBe('CAREMGT');
    const token = res.json().access_token;
    expect(decodeJwt(token).kith).toMatchObject({ pou: 'CAREMGT' });
    const me = await t.app.inject({ url: '/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.json().purposeOfUse).toBe('CAREMGT');
    // The consent permits the food bank for coordination of care (CAREMGT counts as COC).
    const read = await fhirClient(t.app, { token }).get('Patient/p1');
    expect(read.status).toBe(200);
    const rows = await auditRows();
    const signIn = rows.filter((r) => r.action === 'login' && who(r.e) === foodbankId).at(-1)!;
    expect(purposeOf(signIn.e)).toBe('CAREMGT');
    const audited = rows.filter((r) => r.action === 'read' && who(r.e) === foodbankId).at(-1)!;
    expect(purposeOf(audited.e)).toBe('CAREMGT');
    expect(audited.e.agent[0].purposeOfUse[0].coding[0].code).toBe('CAREMGT');
  });

  it('the same clinic user sees the record for treatment and not for payment (the consent denies it)', async () => {
    const treat = (await login('clinic.nurse')).json().access_token;
    const payment = (await login('clinic.nurse', 'HPAYMT')).json().access_token;
    expect(decodeJwt(payment).kith).toMatchObject({ pou: 'HPAYMT' });
    expect((await fhirClient(t.app, { token: treat }).get('Observation/obs-1')).status).toBe(200);
    const refused = await fhirClient(t.app, { token: payment }).get('Observation/obs-1');
    expect(refused.status).toBe(404);
    expect(refused.body.resourceType).toBe('OperationOutcome');
    const search = await fhirClient(t.app, { token: payment }).get('Observation?subject=Patient/p1');
    expect(search.body.total ?? search.body.entry?.length ?? 0).toBe(0);
    const denied = (await auditRows()).filter((r) => r.action === 'denied' && who(r.e) === clinicId).at(-1)!;
    expect(purposeOf(denied.e)).toBe('HPAYMT');
  });

  it('keeps the chosen purpose when the session is refreshed', async () => {
    const res = await login('clinic.nurse', 'HOPERAT');
    const cookie = String(res.headers['set-cookie']).split(';')[0];
    const renewed = await t.app.inject({ method: 'POST', url: '/auth/refresh', headers: { cookie } });
    expect(renewed.statusCode).toBe(200);
    expect(decodeJwt(renewed.json().access_token).kith).toMatchObject({ pou: 'HOPERAT' });
  });
});

describe('API clients ask for a purpose in the token request', () => {
  const basic = {
    authorization: `Basic ${Buffer.from('foodbank-bridge:foodbank-bridge-secret-123').toString('base64')}`,
  };
  const token = (params: Record<string, string | undefined>, headers: Record<string, string> = basic) =>
    t.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { ...FORM_HEADERS, ...headers },
      payload: formBody(params),
    });

  it('client_credentials: purpose_of_use within the client organization’s purposes, else invalid_request', async () => {
    const ok = await token({ grant_type: 'client_credentials', purpose_of_use: 'CAREMGT' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(decodeJwt(ok.json().access_token).kith).toMatchObject({ pou: 'CAREMGT' });
    const usual = await token({ grant_type: 'client_credentials' });
    expect(decodeJwt(usual.json().access_token).kith).toMatchObject({ pou: 'COC' });
    const refused = await token({ grant_type: 'client_credentials', purpose_of_use: 'HPAYMT' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({
      error: 'invalid_request',
      error_description:
        'Staff of a community-based organization may not ask for tokens for payment (HPAYMT); choose one of: coordination of care (COC), care management (CAREMGT)',
    });
    const malformed = await token({ grant_type: 'client_credentials', purpose_of_use: 'treat; drop' });
    expect(malformed.json().error).toBe('invalid_request');
  });

  it('authorization_code: the purpose picked on the authorization page travels with the code', async () => {
    const { verifier, challenge } = pkcePair();
    const query = {
      response_type: 'code',
      client_id: 'clinic-app',
      redirect_uri: REDIRECT,
      scope: 'openid user/*.rs offline_access',
      state: 's1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      purpose_of_use: 'HOPERAT',
    };
    const page = await t.app.inject({ url: `/oauth2/authorize?${formBody(query)}` });
    expect(page.body).toContain('<option value="HOPERAT" selected>health care operations (HOPERAT)</option>');
    const submit = (purpose: string) =>
      t.app.inject({
        method: 'POST',
        url: '/oauth2/authorize',
        headers: FORM_HEADERS,
        payload: `${formBody({ ...query, purpose_of_use: purpose, username: 'clinic.nurse', password: PASSWORD, decision: 'approve' })}&grant=${encodeURIComponent('user/*.rs')}`,
      });
    const research = await submit('HRESCH');
    expect(research.statusCode).toBe(403);
    expect(research.body).toContain('may not sign in for research (HRESCH)');
    const approved = await submit('HPAYMT');
    expect(approved.statusCode, approved.body).toBe(302);
    const code = new URL(approved.headers.location as string).searchParams.get('code')!;
    const exchange = (purpose?: string) =>
      token(
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT,
          client_id: 'clinic-app',
          code_verifier: verifier,
          purpose_of_use: purpose,
        },
        {},
      );
    const changed = await exchange('TREAT');
    expect(changed.json()).toMatchObject({ error: 'invalid_grant' });
    expect(changed.json().error_description).toContain('differs from the purpose HPAYMT chosen at sign-in');
    // The refused exchange used the code up; a fresh one goes through.
    const again = await submit('HPAYMT');
    const code2 = new URL(again.headers.location as string).searchParams.get('code')!;
    const ok = await token(
      {
        grant_type: 'authorization_code',
        code: code2,
        redirect_uri: REDIRECT,
        client_id: 'clinic-app',
        code_verifier: verifier,
      },
      {},
    );
    expect(ok.statusCode, ok.body).toBe(200);
    expect(decodeJwt(ok.json().access_token).kith).toMatchObject({ pou: 'HPAYMT' });
    const refreshed = await token(
      { grant_type: 'refresh_token', refresh_token: ok.json().refresh_token, client_id: 'clinic-app' },
      {},
    );
    expect(decodeJwt(refreshed.json().access_token).kith).toMatchObject({ pou: 'HPAYMT' });
  });
});
