import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@medplum/fhirtypes';
import { FhirService } from '../../src/fhir/service';
import { referralMetrics } from '../../src/referrals';
import { fixturesAvailable, fixturesDir } from '../helpers/fixtures';
import type { TestKith } from '../helpers/kith';
import { fhirClient, type FhirClient } from '../helpers/http';
import { orgCaller, startReferralKith } from './setup';

const GRAVITY = 'gravity-sdoh-clinicalcare';
const has = fixturesAvailable(GRAVITY);
const ACCEPTED = 'SDOHCC-TaskReferralManagementOrderFulfillmentAcceptedExample';
const COMPLETED = 'SDOHCC-TaskReferralManagementOrderFulfillmentCompletedExample';
const PLATFORM = 'SDOHCC-OrganizationCoordinationPlatformExample';
const CLINIC = 'SDOHCC-OrganizationClinicExample';

let t: TestKith;
let fhir: FhirClient;
beforeAll(async () => {
  t = await startReferralKith();
  fhir = fhirClient(t.app);
});
afterAll(() => t?.close());

describe.skipIf(!has)('Gravity SDOH Clinical Care examples through the FHIR API', () => {
  it('every example file is accepted (PUT with its id); the referral Tasks are indexed', async () => {
    const dir = path.join(fixturesDir(), GRAVITY);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(22);
    // Resources first, referral Tasks last (a Task's requester role must exist to find its organization).
    const docs = files.map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
    docs.sort((a, b) => Number(a.resourceType === 'Task') - Number(b.resourceType === 'Task'));
    for (const r of docs) {
      const res = await fhir.put(`${r.resourceType}/${r.id}`, r);
      expect(res.status, `${r.resourceType}/${r.id}: ${res.text.slice(0, 300)}`).toBe(201);
    }
    const { rows } = await t.kith.db.query(
      'select task_id, status, owner_org, requester_org, category, has_outcome from referral order by task_id',
    );
    expect(rows).toEqual([
      {
        task_id: ACCEPTED,
        status: 'accepted',
        owner_org: PLATFORM,
        requester_org: CLINIC,
        category: 'food-insecurity',
        has_outcome: false,
      },
      {
        task_id: COMPLETED,
        status: 'completed',
        owner_org: PLATFORM,
        requester_org: CLINIC,
        category: 'food-insecurity',
        has_outcome: true,
      },
    ]);
    // The patient task (owner: the patient) is not a referral and is not governed by the referral rules.
    expect(rows.map((r) => r.task_id)).not.toContain('SDOHCC-TaskPatientRiskQuestionnaireCompletedExample');
  });

  it('the receiving platform moves the accepted referral on; the clinic cannot', async () => {
    const owner = new FhirService(t.kith.store.withCaller(orgCaller(PLATFORM)));
    const requester = new FhirService(t.kith.store.withCaller(orgCaller(CLINIC)));
    const task = (await fhir.get(`Task/${ACCEPTED}`)).body as Task;
    await expect(requester.update('Task', ACCEPTED, { ...task, status: 'in-progress' })).rejects.toThrow(
      /only the receiving organization/,
    );
    const r = await owner.update('Task', ACCEPTED, { ...task, status: 'in-progress' });
    expect(JSON.parse(r.version!.json).status).toBe('in-progress');
  });

  it('an intermediary forwards it: child Task partOf the original, filler-order ServiceRequest basedOn the original', async () => {
    const pantry = await fhir.create({ resourceType: 'Organization', name: 'Eastside Pantry (not on Kith)' });
    const platform = fhirClient(t.app);
    const r = await platform.post(`Task/${ACCEPTED}/$forward`, {
      resourceType: 'Parameters',
      parameter: [
        { name: 'owner', valueReference: { reference: `Organization/${pantry.id}` } },
        { name: 'note', valueString: 'Client prefers mornings' },
      ],
    });
    expect(r.status, r.text).toBe(201);
    const child = r.body.parameter.find((p: any) => p.name === 'task').resource as Task;
    const sr = r.body.parameter.find((p: any) => p.name === 'serviceRequest').resource;
    expect(child.partOf).toEqual([{ reference: `Task/${ACCEPTED}` }]);
    expect(child.status).toBe('requested');
    expect(child.requester?.reference).toBe(`Organization/${PLATFORM}`);
    expect(sr.intent).toBe('filler-order');
    expect(sr.basedOn).toEqual([
      { reference: 'ServiceRequest/SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample' },
    ]);
    // A filler order without basedOn is refused.
    const bad = await fhir.post('ServiceRequest', {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'filler-order',
      subject: { reference: 'Patient/pat-53234' },
    });
    expect(bad.status).toBe(422);

    // The pantry has no account: a signed link lets it see the minimum and close the loop.
    const link = await fhir.post(`Task/${child.id}/$referral-link`, { resourceType: 'Parameters' });
    expect(link.status).toBe(200);
    const url: string = link.body.parameter.find((p: any) => p.name === 'url').valueUrl;
    const token = url.split('/referral-link/')[1];
    // A browser opening the link is sent to the web app's page, the token in the fragment only.
    const opened = await t.app.inject({
      method: 'GET',
      url: `/referral-link/${token}`,
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe(`/referral-response#${token}`);
    const view = await t.app.inject({ method: 'GET', url: `/referral-link/${token}` });
    expect(view.statusCode).toBe(200);
    const v = JSON.parse(view.body);
    expect(v.task.status).toBe('requested');
    expect(v.task.allowedNext).toEqual(expect.arrayContaining(['accepted', 'rejected', 'cancelled']));
    expect(v.client.name).toMatch(/COLIN|Colin/);
    expect(v.referral.category).toContain('Food Insecurity');
    expect(JSON.stringify(v)).not.toMatch(/Consent|QuestionnaireResponse/);
    const post = (body: unknown) =>
      t.app.inject({
        method: 'POST',
        url: `/referral-link/${token}`,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    const illegal = await post({ status: 'completed' });
    expect(illegal.statusCode).toBe(422);
    expect(JSON.parse(illegal.body).issue[0].diagnostics).toMatch(/requested to completed/);
    expect((await post({ status: 'accepted' })).statusCode).toBe(200);
    const done = await post({
      status: 'completed',
      outcome: 'Enrolled in pantry program',
      businessStatus: 'got-help',
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(JSON.parse(done.body).task.status).toBe('completed');
    const log = await t.kith.db.query(
      'select to_status, party, actor from referral_status_log where task_id = $1 order by id',
      [child.id],
    );
    expect(log.rows.map((x) => `${x.to_status}:${x.party}`)).toEqual([
      'requested:system',
      'accepted:owner',
      'completed:owner',
    ]);
    expect(log.rows[2].actor).toMatch(/^referral-link:/);
    // A tampered token is refused.
    const forged = await t.app.inject({ method: 'GET', url: `/referral-link/${token.slice(0, -2)}xx` });
    expect(forged.statusCode).toBe(403);
  });

  it('closure metrics by owner and category ($referral-metrics and the function)', async () => {
    const m = await referralMetrics(t.kith.db.pool);
    expect(m.overall.total).toBe(3);
    expect(m.overall.byStatus).toMatchObject({ completed: 2, 'in-progress': 1 });
    expect(m.overall.closed).toBe(2);
    expect(m.overall.shareClosedWithOutcome).toBe(1);
    expect(m.byOwner.find((g) => g.owner === PLATFORM)?.total).toBe(2);
    expect(m.byCategory).toEqual([expect.objectContaining({ category: 'food-insecurity', total: 3 })]);
    expect(m.overall.medianHoursToAcceptance).not.toBeNull();
    const r = await fhir.get('$referral-metrics?category=food-insecurity');
    expect(r.status).toBe(200);
    const overall = r.body.parameter[0].part;
    expect(overall.find((p: any) => p.name === 'total').valueInteger).toBe(3);
    expect(overall.find((p: any) => p.name === 'share-closed-with-outcome').valueDecimal).toBe(1);
  });
});
