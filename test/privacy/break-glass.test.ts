// Break-glass: a covered entity's user states an emergency and gets time-limited access to all of a
// person's data (purpose ETREAT), audited as a break-glass event and on every read it opens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { FHIR_HEADERS, startTestKith, type TestKith } from '../helpers/kith';
import { fhirClient } from '../helpers/http';

let t: TestKith;
let doctor: { token: string };
let worker: { token: string };

const REASON = 'Unconscious patient in the emergency department';

beforeAll(async () => {
  t = await startTestKith();
  const system = fhirClient(t.app);
  await system.put('Patient/bg1', { resourceType: 'Patient', id: 'bg1', name: [{ family: 'Glass' }] });
  const res = await t.inject({
    method: 'PUT',
    url: '/fhir/Condition/bg-psy',
    headers: FHIR_HEADERS,
    payload: {
      resourceType: 'Condition',
      id: 'bg-psy',
      subject: { reference: 'Patient/bg1' },
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'F32.9' }] },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  doctor = await t.addUser({
    username: 'er.doctor',
    password: 'er-doctor-password',
    displayName: 'Ada Ortiz',
    organization: { id: 'er-hospital', kind: 'provider', hipaaCoveredEntity: true, part2Program: false },
    practitionerRole: 'PractitionerRole/role-er-doctor',
    accessLevel: 'edit',
    purposeOfUse: 'TREAT',
  });
  worker = await t.addUser({
    username: 'pantry.helper',
    password: 'pantry-helper-password',
    displayName: 'Ben Cole',
    organization: { id: 'pantry', kind: 'cbo', hipaaCoveredEntity: false, part2Program: false },
    accessLevel: 'edit',
    purposeOfUse: 'COC',
  });
}, 120_000);
afterAll(async () => t?.close());

const breakGlass = (token: string, body: unknown) =>
  t.app.inject({
    method: 'POST',
    url: '/auth/break-glass',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
const read = (token: string, url: string) =>
  t.app.inject({ url: `/fhir/${url}`, headers: { authorization: `Bearer ${token}` } });

describe('break-glass', () => {
  it('opens all of the person data for a covered entity user, for a limited time, and audits it', async () => {
    expect((await read(doctor.token, 'Condition/bg-psy')).statusCode).toBe(404); // mental health: needs consent
    const res = await breakGlass(doctor.token, { reason: REASON, minutes: 1000 });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    // Capped at the policy's 240 minutes; the token lives no longer than the normal 15 minutes (1 h in tests).
    const until = Date.parse(body.breakGlass.until);
    expect(until).toBeLessThanOrEqual(Date.now() + 240 * 60_000);
    expect(until).toBeGreaterThan(Date.now() + 230 * 60_000);
    expect(body.breakGlass.reason).toBe(REASON);
    expect(decodeJwt(body.access_token).kith).toMatchObject({ pou: 'ETREAT' });
    expect((await read(body.access_token, 'Condition/bg-psy')).statusCode).toBe(200);
    // The old token is unchanged: still no access.
    expect((await read(doctor.token, 'Condition/bg-psy')).statusCode).toBe(404);

    const { rows } = await t.kith.db.query(
      `select action, event::jsonb as e from audit_events where action in ('break-glass', 'read') order by seq`,
    );
    const granted = rows.find((r: any) => r.action === 'break-glass');
    expect(JSON.stringify(granted.e)).toContain(REASON);
    const opened = rows.filter((r: any) => r.action === 'read').at(-1);
    expect(JSON.stringify(opened.e)).toContain('break-glass');
  });

  it('is refused to a CBO user, without a stated reason, and without a token', async () => {
    const cbo = await breakGlass(worker.token, { reason: REASON });
    expect(cbo.statusCode).toBe(403);
    expect(cbo.body).toContain('covered entity');
    const short = await breakGlass(doctor.token, { reason: 'ER' });
    expect(short.statusCode).toBe(422);
    expect(short.body).toContain('State the emergency');
    const none = await t.app.inject({
      method: 'POST',
      url: '/auth/break-glass',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ reason: REASON }),
    });
    expect(none.statusCode).toBe(401);
  });
});
