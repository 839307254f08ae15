// SMART patient/ scopes: an app signs a user in with authorization_code + PKCE, the user chooses
// the person to share (launch/patient), and the token is bound to that Patient. With it, reads,
// searches, includes, chains and history stay inside that patient's compartment, and the access
// policy still applies (labels, consent, organization).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import { decodeJwt } from 'jose';
import { startTestKith, type TestKith } from '../helpers/kith';
import { fhirClient } from '../helpers/http';
import { FORM_HEADERS, formBody, pkcePair, putAll } from '../helpers/privacy-world';
import { createClient, createUser } from '../../src/privacy/auth';

const LOINC = 'http://loinc.org';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const PASSWORD = 'patient-scope-password';
const REDIRECT = 'https://chart.example.org/callback';
const CLINIC = { id: 'clinic', kind: 'provider' as const, hipaaCoveredEntity: true, part2Program: false };
const PANTRY = { id: 'pantry', kind: 'cbo' as const, hipaaCoveredEntity: false, part2Program: false };

const obs = (id: string, patient: string, code = '8867-4'): Resource => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: LOINC, code }] },
  subject: { reference: `Patient/${patient}` },
});

let t: TestKith;

/** Signs `username` in through the authorization page, sharing `patient`, and exchanges the code. */
async function patientToken(
  username: string,
  patient: string,
  scope = 'openid launch/patient patient/*.rs',
): Promise<{ access_token: string; patient: string; scope: string }> {
  const { verifier, challenge } = pkcePair();
  const query = {
    response_type: 'code',
    client_id: 'chart-app',
    redirect_uri: REDIRECT,
    scope,
    state: 'st',
    aud: 'http://kith.test/fhir',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  const grants = scope
    .split(' ')
    .filter((s) => s.includes('/') && !s.startsWith('launch'))
    .map((s) => `&grant=${encodeURIComponent(s)}`)
    .join('');
  const approved = await t.app.inject({
    method: 'POST',
    url: '/oauth2/authorize',
    headers: FORM_HEADERS,
    payload: `${formBody({ ...query, username, password: PASSWORD, patient, decision: 'approve' })}${grants}`,
  });
  expect(approved.statusCode, approved.body).toBe(302);
  const code = new URL(approved.headers.location as string).searchParams.get('code')!;
  const res = await t.app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: FORM_HEADERS,
    payload: formBody({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: 'chart-app',
      code_verifier: verifier,
    }),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const refs = (bundle: any): string[] => {
  expect(bundle.resourceType, JSON.stringify(bundle)).toBe('Bundle');
  return (bundle.entry ?? []).map((e: any) => `${e.resource.resourceType}/${e.resource.id}`).sort();
};

const SEARCHES: [string, string[], string[]][] = [
  // url, with the patient-bound token, with the same user's user/*.rs token
  [
    'Observation',
    ['Observation/o1', 'Observation/o1b'],
    ['Observation/o1', 'Observation/o1b', 'Observation/o2'],
  ],
  ['Observation?subject=Patient/p2', [], ['Observation/o2']],
  ['Patient', ['Patient/p1'], ['Patient/p1', 'Patient/p2']],
  ['Patient?name=Otherperson', [], ['Patient/p2']],
  ['Observation?subject:Patient.name=Otherperson', [], ['Observation/o2']],
  ['Patient?_has:Observation:subject:code=8867-4', ['Patient/p1'], ['Patient/p1', 'Patient/p2']],
  [
    'Patient?_revinclude=Observation:subject',
    ['Observation/o1', 'Observation/o1b', 'Patient/p1'],
    ['Observation/o1', 'Observation/o1b', 'Observation/o2', 'Patient/p1', 'Patient/p2'],
  ],
  [
    'Observation?code=8867-4&_include=Observation:subject',
    ['Observation/o1', 'Patient/p1'],
    ['Observation/o1', 'Observation/o2', 'Patient/p1', 'Patient/p2'],
  ],
];

beforeAll(async () => {
  t = await startTestKith();
  const db = t.kith.db;
  await createUser(db, {
    username: 'clinic.doc',
    password: PASSWORD,
    displayName: 'Emily Chen',
    organization: CLINIC,
    practitionerRole: 'PractitionerRole/role-clinic-doc',
    accessLevel: 'edit',
    purposeOfUse: 'TREAT',
  });
  await createUser(db, {
    username: 'pantry.worker',
    password: PASSWORD,
    displayName: 'Tom Gallagher',
    organization: PANTRY,
    accessLevel: 'exchange',
    purposeOfUse: 'COC',
  });
  await createClient(db, {
    clientId: 'chart-app',
    name: 'Chart viewer',
    redirectUris: [REDIRECT],
    grantTypes: ['authorization_code', 'refresh_token'],
    scope: 'openid launch/patient patient/*.rs patient/*.cruds user/*.rs',
  });
  const system = fhirClient(t.app);
  const data: Resource[] = [
    { resourceType: 'Organization', id: 'clinic', name: 'Clinic' },
    { resourceType: 'Organization', id: 'pantry', name: 'Pantry' },
    { resourceType: 'Patient', id: 'p1', name: [{ family: 'Boundperson', given: ['Ana'] }] },
    { resourceType: 'Patient', id: 'p2', name: [{ family: 'Otherperson', given: ['Ben'] }] },
    obs('o1', 'p1'),
    obs('o1b', 'p1', '8310-5'),
    obs('o2', 'p2'),
    // Mental health data of the bound patient: the policy still wants a consent for it.
    {
      resourceType: 'Condition',
      id: 'c-psy',
      code: { coding: [{ system: ICD10, code: 'F32.9' }] },
      subject: { reference: 'Patient/p1' },
    },
  ];
  await putAll(system, data);
  // A second version of p2's observation, for history.
  await system.put('Observation/o2', { ...obs('o2', 'p2'), status: 'amended' });
}, 120_000);
afterAll(async () => t?.close());

describe('a token bound to one patient (patient/*.rs, launch/patient)', () => {
  let api: ReturnType<typeof fhirClient>;

  beforeAll(async () => {
    const tok = await patientToken('clinic.doc', 'p1');
    expect(tok.patient).toBe('p1');
    expect(tok.scope).toBe('openid launch/patient patient/*.rs');
    expect(decodeJwt(tok.access_token).patient).toBe('Patient/p1');
    api = fhirClient(t.app, { token: tok.access_token });
  });

  it("reads the patient's own records", async () => {
    expect((await api.get('Patient/p1')).status).toBe(200);
    expect((await api.get('Observation/o1')).body.id).toBe('o1');
    expect((await api.get('Organization/clinic')).status).toBe(200); // reference data, no compartment
  });

  it("refuses another patient's records with an OperationOutcome, for read, vread and history", async () => {
    for (const url of [
      'Patient/p2',
      'Observation/o2',
      'Observation/o2/_history/1',
      'Observation/o2/_history',
    ]) {
      const res = await api.get(url);
      expect([403, 404], url).toContain(res.status);
      expect(res.body.resourceType, url).toBe('OperationOutcome');
      expect(res.text, url).not.toContain('Otherperson');
    }
  });

  it("searches return that patient's compartment only, totals included", async () => {
    const all = await api.get('Observation?_total=accurate');
    expect(refs(all.body)).toEqual(['Observation/o1', 'Observation/o1b']);
    expect(all.body.total).toBe(2);
    const other = await api.get('Observation?subject=Patient/p2&_total=accurate');
    expect(refs(other.body)).toEqual([]);
    expect(other.body.total).toBe(0);
    // The same user with a user/ scope sees both people: the binding is what narrows.
    const userToken = await t.tokenFor({ username: 'clinic.doc' });
    const asUser = fhirClient(t.app, { token: userToken });
    for (const [url, bound, unbound] of SEARCHES) {
      expect(refs((await api.get(url)).body), url).toEqual(bound);
      expect(refs((await asUser.get(url)).body), `${url} (user scope)`).toEqual(unbound);
    }
  });

  it("still applies the policy inside the compartment: the patient's mental health data needs a consent", async () => {
    const res = await api.get('Condition/c-psy');
    expect(res.status).toBe(404);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(refs((await api.get('Condition')).body)).toEqual([]);
  });

  it('writes nothing with a read-only patient scope', async () => {
    const res = await api.post('Observation', obs('new', 'p1'));
    expect(res.status).toBe(403);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });
});

describe('a patient scope with write access', () => {
  it("creates in the bound patient's compartment only", async () => {
    const tok = await patientToken('clinic.doc', 'p1', 'launch/patient patient/*.cruds');
    const api = fhirClient(t.app, { token: tok.access_token });
    const mine = await api.post('Observation', obs('x', 'p1', '29463-7'));
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    const theirs = await api.post('Observation', obs('y', 'p2', '29463-7'));
    expect(theirs.status).toBe(403);
    expect(theirs.body.resourceType).toBe('OperationOutcome');
  });
});

describe('a CBO user and a person who has not consented', () => {
  it('may not bind an app to that person: the authorization page refuses, says why, and issues no code', async () => {
    const { challenge } = pkcePair();
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth2/authorize',
      headers: FORM_HEADERS,
      payload: `${formBody({
        response_type: 'code',
        client_id: 'chart-app',
        redirect_uri: REDIRECT,
        scope: 'openid launch/patient patient/*.rs',
        state: 'st',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        username: 'pantry.worker',
        password: PASSWORD,
        patient: 'p1',
        decision: 'approve',
      })}&grant=${encodeURIComponent('patient/*.rs')}`,
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers.location).toBeUndefined();
    expect(res.body).toContain('You cannot share Patient/p1: it is not a record you may see');
    const { rows } = await t.kith.db.query(
      `select event::jsonb as e from audit_events where action = 'login-failed' order by seq desc limit 1`,
    );
    expect(JSON.stringify(rows[0].e)).toContain('patient-not-visible');
  });
});

describe('the authorization page asks for the patient', () => {
  it('refuses an approval without a patient for launch/patient', async () => {
    const { challenge } = pkcePair();
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth2/authorize',
      headers: FORM_HEADERS,
      payload: formBody({
        response_type: 'code',
        client_id: 'chart-app',
        redirect_uri: REDIRECT,
        scope: 'launch/patient patient/*.rs',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        username: 'clinic.doc',
        password: PASSWORD,
        decision: 'approve',
        grant: 'patient/*.rs',
      }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Choose the person (Patient id) to share.');
  });
});
