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

  it('is a server record: a session renewal keeps it, it ends at its own end or when ended early', async () => {
    const post = (url: string, payload: unknown, headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...headers },
        payload: JSON.stringify(payload),
      });
    const login = await post('/auth/login', { username: 'er.doctor', password: 'er-doctor-password' }, {});
    expect(login.statusCode, login.body).toBe(200);
    let cookie = `kith_refresh=${encodeURIComponent(login.json().refresh_token)}`;
    const access = login.json().access_token as string;
    // Asked from the web session (its refresh cookie comes along), for 120 minutes.
    const granted = await post(
      '/auth/break-glass',
      { reason: REASON, minutes: 120 },
      { authorization: `Bearer ${access}`, cookie },
    );
    expect(granted.statusCode, granted.body).toBe(200);
    const grant = granted.json().breakGlass;
    expect(Date.parse(grant.until)).toBeGreaterThan(Date.now() + 115 * 60_000);
    const { rows } = await t.kith.db.query(
      'select user_id, family_id, reason, until from auth_break_glass where id = $1',
      [grant.id],
    );
    expect(rows[0]).toMatchObject({ reason: REASON });
    expect(rows[0].family_id).toBeTruthy();

    // Renewal (as when the 15-minute access token runs out): the new token still carries the grant.
    const renew = async () => {
      const res = await post('/auth/refresh', {}, { cookie });
      expect(res.statusCode, res.body).toBe(200);
      cookie = `kith_refresh=${encodeURIComponent(res.json().refresh_token)}`;
      return res.json();
    };
    const renewed = await renew();
    expect(renewed.breakGlass).toMatchObject({ id: grant.id, until: grant.until, reason: REASON });
    expect(decodeJwt(renewed.access_token).kith).toMatchObject({ pou: 'ETREAT' });
    expect((await read(renewed.access_token, 'Condition/bg-psy')).statusCode).toBe(200);

    // Its end passes (moved into the past here): the same unexpired token no longer opens anything,
    // and a renewal returns to normal access.
    await t.kith.db.query(`update auth_break_glass set until = now() - interval '1 second' where id = $1`, [
      grant.id,
    ]);
    expect((await read(renewed.access_token, 'Condition/bg-psy')).statusCode).toBe(404);
    const after = await renew();
    expect(after.breakGlass).toBeUndefined();
    expect(decodeJwt(after.access_token).kith).not.toMatchObject({ pou: 'ETREAT' });
    expect((await read(after.access_token, 'Condition/bg-psy')).statusCode).toBe(404);

    // Ended early by the user: the next request is back to normal access.
    const again = await post(
      '/auth/break-glass',
      { reason: REASON, minutes: 30 },
      { authorization: `Bearer ${after.access_token}`, cookie },
    );
    const token = again.json().access_token as string;
    expect((await read(token, 'Condition/bg-psy')).statusCode).toBe(200);
    const ended = await post('/auth/break-glass/end', {}, { authorization: `Bearer ${token}`, cookie });
    expect(ended.json()).toEqual({ ended: 1 });
    expect((await read(token, 'Condition/bg-psy')).statusCode).toBe(404);
    expect((await renew()).breakGlass).toBeUndefined();
  });

  it('a token whose grant no server record names opens nothing', async () => {
    const forged = await t.kith.auth.tokens.issue({
      ...(await t.kith.auth.verifyAccessToken(doctor.token)),
      purposeOfUse: 'ETREAT',
      breakGlass: { until: new Date(Date.now() + 3_600_000).toISOString(), reason: REASON },
    });
    expect((await read(forged.token, 'Condition/bg-psy')).statusCode).toBe(404);
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
