import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@medplum/fhirtypes';
import { FhirService } from '../../src/fhir/service';
import { FhirError } from '../../src/fhir/errors';
import { BUSINESS_STATUS_SYSTEM } from '../../src/referrals';
import type { TestKith } from '../helpers/kith';
import { orgCaller, startReferralKith } from './setup';

/**
 * The referral status rules written out by hand from the Gravity guide (not read from the
 * implementation): from → to, and who may make that move. R requester, O owner, E either.
 */
const LEGAL: Record<string, Record<string, 'R' | 'O' | 'E'>> = {
  '(new)': { draft: 'R', requested: 'R' },
  draft: { requested: 'R', cancelled: 'E', 'entered-in-error': 'R' },
  requested: { accepted: 'O', rejected: 'O', 'on-hold': 'O', cancelled: 'E', 'entered-in-error': 'R' },
  accepted: {
    'in-progress': 'O',
    'on-hold': 'O',
    failed: 'O',
    completed: 'O',
    cancelled: 'E',
    'entered-in-error': 'R',
  },
  'in-progress': { 'on-hold': 'O', failed: 'O', completed: 'O', cancelled: 'E', 'entered-in-error': 'R' },
  'on-hold': {
    accepted: 'O',
    rejected: 'O',
    'in-progress': 'O',
    failed: 'O',
    completed: 'O',
    cancelled: 'E',
    'entered-in-error': 'R',
  },
  rejected: { 'entered-in-error': 'R' },
  failed: { 'entered-in-error': 'R' },
  completed: { 'entered-in-error': 'R' },
  cancelled: { 'entered-in-error': 'R' },
  'entered-in-error': {},
};
const STATUSES = Object.keys(LEGAL).filter((s) => s !== '(new)');
const PARTIES = ['requester', 'owner', 'third-party'] as const;

let t: TestKith;
let system: FhirService;
const as: Record<(typeof PARTIES)[number], FhirService> = {} as any;
let base: Task;
let requesterOrgId: string;

beforeAll(async () => {
  t = await startReferralKith();
  system = new FhirService(t.kith.store);
  const org = async (name: string) =>
    (await system.create('Organization', { resourceType: 'Organization', name })).version!.id;
  const requesterOrg = await org('County clinic');
  const ownerOrg = await org('Food bank');
  const thirdOrg = await org('Unrelated CBO');
  requesterOrgId = requesterOrg;
  const role = await system.create('PractitionerRole', {
    resourceType: 'PractitionerRole',
    organization: { reference: `Organization/${requesterOrg}` },
  });
  const patient = await system.create('Patient', { resourceType: 'Patient', name: [{ family: 'Abbas' }] });
  const sr = await system.create('ServiceRequest', {
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    subject: { reference: `Patient/${patient.version!.id}` },
    category: [
      {
        coding: [
          {
            system: 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes',
            code: 'food-insecurity',
          },
        ],
      },
    ],
  });
  as.requester = new FhirService(t.kith.store.withCaller(orgCaller(requesterOrg)));
  as.owner = new FhirService(t.kith.store.withCaller(orgCaller(ownerOrg)));
  as['third-party'] = new FhirService(t.kith.store.withCaller(orgCaller(thirdOrg)));
  base = {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' }] },
    focus: { reference: `ServiceRequest/${sr.version!.id}` },
    for: { reference: `Patient/${patient.version!.id}` },
    requester: { reference: `PractitionerRole/${role.version!.id}` },
    owner: { reference: `Organization/${ownerOrg}` },
  };
});
afterAll(() => t?.close());

/** What a status needs besides the status itself (reason, outcome), so only the rules are tested. */
function withRequirements(task: Task, status: string): Task {
  const out: Task = { ...task, status: status as Task['status'] };
  if (status === 'rejected') out.statusReason = { text: 'Outside our service area' };
  if (status === 'completed')
    out.output = [
      { type: { text: 'resulting-activity' }, valueReference: { reference: 'Procedure/food-provided' } },
    ];
  return out;
}

async function attempt(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    if (err instanceof FhirError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

function expected(
  from: string,
  to: string,
  party: (typeof PARTIES)[number],
): 'ok' | 'forbidden' | 'invalid_value' {
  if (party === 'third-party') return 'forbidden';
  const who = LEGAL[from][to];
  if (!who) return 'invalid_value';
  if (who === 'E' || (who === 'R' && party === 'requester') || (who === 'O' && party === 'owner'))
    return 'ok';
  return 'forbidden';
}

describe('referral Task state machine', () => {
  it('creating a referral: each status by each party', async () => {
    for (const to of STATUSES) {
      for (const party of PARTIES) {
        const got = await attempt(() => as[party].create('Task', withRequirements(base, to)));
        const want = expected('(new)', to, party);
        expect(got.split(':')[0], `(new) → ${to} by ${party}: ${got}`).toBe(want);
      }
    }
  });

  it('every transition between referral statuses, by requester, owner and a third party', async () => {
    let checked = 0;
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        if (to === from) continue;
        for (const party of PARTIES) {
          // The system records the starting state (as an import would), then the party tries the move.
          const start = await system.create('Task', withRequirements(base, from));
          const stored = JSON.parse(start.version!.json) as Task;
          const got = await attempt(() =>
            as[party].update('Task', stored.id as string, withRequirements(stored, to)),
          );
          const want = expected(from, to, party);
          expect(got.split(':')[0], `${from} → ${to} by ${party}: ${got}`).toBe(want);
          if (want !== 'ok')
            expect(got).toContain(
              party === 'third-party' ? 'Only the requesting or the receiving organization' : to,
            );
          checked++;
        }
      }
    }
    expect(checked).toBe(10 * 9 * 3);
  }, 600_000);

  it('a refusal names the transition and what the party may do instead', async () => {
    const start = await as.requester.create('Task', base);
    const task = JSON.parse(start.version!.json) as Task;
    const r = await t.inject({
      method: 'PUT',
      url: `/fhir/Task/${task.id}`,
      headers: { 'content-type': 'application/fhir+json' },
      payload: JSON.stringify({ ...task, status: 'completed' }),
    });
    // Over HTTP there is no caller yet (the system): the transition itself is still refused.
    expect(r.statusCode).toBe(422);
    const outcome = JSON.parse(r.body);
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0].diagnostics).toMatch(/requested to completed/);
    expect(outcome.issue[0].expression).toEqual(['Task.status']);
    const wrong = await attempt(() =>
      as.requester.update('Task', task.id as string, { ...task, status: 'accepted' }),
    );
    expect(wrong).toMatch(/^forbidden: requested → accepted: only the receiving organization/);
  });

  it('rejected needs a reason; completed needs an outcome (a Procedure or a coded result)', async () => {
    const task = JSON.parse((await as.requester.create('Task', base)).version!.json) as Task;
    expect(await attempt(() => as.owner.update('Task', task.id!, { ...task, status: 'rejected' }))).toMatch(
      /^invalid_value: requested → rejected needs a reason/,
    );
    const accepted = JSON.parse(
      (await as.owner.update('Task', task.id!, { ...task, status: 'accepted' })).version!.json,
    );
    expect(
      await attempt(() => as.owner.update('Task', task.id!, { ...accepted, status: 'completed' })),
    ).toMatch(/^invalid_value: accepted → completed needs the outcome in Task.output/);
    const coded = await attempt(() =>
      as.owner.update('Task', task.id!, {
        ...accepted,
        status: 'completed',
        output: [{ type: { text: 'outcome' }, valueCodeableConcept: { text: 'Enrolled in pantry program' } }],
      }),
    );
    expect(coded).toBe('ok');
  });

  it('business status: the finer states, each only with the statuses it fits', async () => {
    const task = JSON.parse((await as.requester.create('Task', base)).version!.json) as Task;
    const bs = (code: string) => ({ coding: [{ system: BUSINESS_STATUS_SYSTEM, code }] });
    expect(
      await attempt(() =>
        as.owner.update('Task', task.id!, {
          ...task,
          status: 'rejected',
          statusReason: { text: 'full' },
          businessStatus: bs('no-capacity'),
        }),
      ),
    ).toBe('ok');
    const t2 = JSON.parse((await as.requester.create('Task', base)).version!.json) as Task;
    expect(
      await attempt(() =>
        as.owner.update('Task', t2.id!, { ...t2, status: 'accepted', businessStatus: bs('got-help') }),
      ),
    ).toMatch(/^invalid_value: Business status 'Got help' does not fit status 'accepted'/);
    expect(
      await attempt(() =>
        as.owner.update('Task', t2.id!, { ...t2, status: 'accepted', businessStatus: bs('made-up') }),
      ),
    ).toMatch(/not a referral business status/);
    const acc = JSON.parse(
      (
        await as.owner.update('Task', t2.id!, {
          ...t2,
          status: 'accepted',
          businessStatus: bs('couldnt-contact'),
        })
      ).version!.json,
    ) as Task;
    expect(acc.lastModified).toBeTruthy();
  });

  it('requester, focus and person cannot change; the owner only while a draft', async () => {
    const task = JSON.parse((await as.requester.create('Task', base)).version!.json) as Task;
    expect(
      await attempt(() =>
        as.owner.update('Task', task.id!, { ...task, for: { reference: 'Patient/other' } }),
      ),
    ).toMatch(/^invalid_value: Task.for of a referral cannot change/);
    expect(
      await attempt(() =>
        as.owner.update('Task', task.id!, { ...task, owner: { reference: 'Organization/elsewhere' } }),
      ),
    ).toMatch(/owner\) can change only while the referral is a draft/);
    expect(await attempt(() => as.owner.update('Task', task.id!, { ...task, status: 'ready' }))).toMatch(
      /'ready' is not a referral status/,
    );
  });

  it('writes the status log and tells the other side through the inbox', async () => {
    const task = JSON.parse((await as.requester.create('Task', base)).version!.json) as Task;
    await as.owner.update('Task', task.id!, { ...task, status: 'accepted' });
    const { rows } = await t.kith.db.query(
      'select from_status, to_status, party from referral_status_log where task_id = $1 order by id',
      [task.id],
    );
    expect(rows).toEqual([
      { from_status: null, to_status: 'requested', party: 'requester' },
      { from_status: 'requested', to_status: 'accepted', party: 'owner' },
    ]);
    const inbox = await t.kith.db.query(
      `select i.recipient from notify_inbox i join fhir_resources r on r.id = i.communication_id
       where r.content->'about'->0->>'reference' = $1 order by i.created_at`,
      [`Task/${task.id}`],
    );
    expect(inbox.rows.map((r) => r.recipient)).toEqual([
      base.owner!.reference,
      `Organization/${requesterOrgId}`,
    ]);
  });
});
