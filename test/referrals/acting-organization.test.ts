import type { Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirService } from '../../src/fhir/service';
import { FHIR_HEADERS, type TestKith } from '../helpers/kith';
import { startReferralKith } from './setup';

/**
 * Over HTTP with signed-in users' tokens: who may move a referral and read an organization's
 * inbox is judged from the signed-in user (their organization, and those of their other
 * PractitionerRoles), never from what the client names.
 */
let t: TestKith;
let system: FhirService;
const orgs: Record<'county' | 'foodBank' | 'shelter' | 'other', string> = {} as any;
const users: Record<'county' | 'foodBank' | 'other' | 'dual', Record<string, string>> = {} as any;
let forFoodBank: Task;
let forShelter: Task;

const org = (id: string) => ({
  id,
  kind: 'provider' as const,
  hipaaCoveredEntity: true,
  part2Program: false,
});

beforeAll(async () => {
  t = await startReferralKith();
  system = new FhirService(t.kith.store);
  const create = async (resource: any) => (await system.create(resource.resourceType, resource)).version!.id;
  for (const [key, name] of [
    ['county', 'County social services'],
    ['foodBank', 'Food bank'],
    ['shelter', 'Family shelter'],
    ['other', 'Unrelated CBO'],
  ] as const)
    orgs[key] = await create({ resourceType: 'Organization', name });
  const role = (practitioner: string, organization: string) =>
    create({
      resourceType: 'PractitionerRole',
      active: true,
      practitioner: { reference: `Practitioner/${practitioner}` },
      organization: { reference: `Organization/${organization}` },
    });
  const person = async (key: keyof typeof users, at: keyof typeof orgs, alsoAt?: keyof typeof orgs) => {
    const practitioner = await create({ resourceType: 'Practitioner', name: [{ family: key }] });
    const main = await role(practitioner, orgs[at]);
    if (alsoAt) await role(practitioner, orgs[alsoAt]);
    const { headers } = await t.addUser({
      username: `${key.toLowerCase()}-worker`,
      password: 'a long enough password 123',
      practitionerRole: `PractitionerRole/${main}`,
      organization: org(orgs[at]),
      accessLevel: 'edit',
      purposeOfUse: 'CAREMGT',
    });
    users[key] = { ...FHIR_HEADERS, ...headers };
  };
  await person('county', 'county');
  await person('foodBank', 'foodBank');
  await person('other', 'other');
  // Works at the county and, in a second role, at the shelter.
  await person('dual', 'county', 'shelter');

  const patient = await create({ resourceType: 'Patient', name: [{ family: 'Abbas' }] });
  const sr = await create({
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    subject: { reference: `Patient/${patient}` },
  });
  const task = async (owner: string): Promise<Task> => {
    const body: Task = {
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      focus: { reference: `ServiceRequest/${sr}` },
      for: { reference: `Patient/${patient}` },
      requester: { reference: `Organization/${orgs.county}` },
      owner: { reference: `Organization/${owner}` },
    };
    const id = await create(body);
    return { ...body, id };
  };
  forFoodBank = await task(orgs.foodBank);
  forShelter = await task(orgs.shelter);
});
afterAll(() => t?.close());

const put = (headers: Record<string, string>, task: Task, status: Task['status']) =>
  t.app.inject({
    method: 'PUT',
    url: `/fhir/Task/${task.id}`,
    headers,
    payload: { ...task, status },
  });

describe('the acting organization is the signed-in user', () => {
  it('refuses a status change by a user of neither side, and by the wrong side', async () => {
    const outsider = await put(users.other, forFoodBank, 'accepted');
    expect(outsider.statusCode, outsider.body).toBe(403);
    expect(outsider.json().issue[0].diagnostics).toMatch(/Only the requesting or the receiving organization/);
    // The sender's worker cannot accept on the receiver's behalf.
    const sender = await put(users.county, forFoodBank, 'accepted');
    expect(sender.statusCode, sender.body).toBe(403);
    expect(sender.json().issue[0].diagnostics).toMatch(/only the receiving organization/);
    expect(JSON.parse((await system.read('Task', forFoodBank.id!)).json).status).toBe('requested');
  });

  it("lets the receiving organization's user accept it", async () => {
    const res = await put(users.foodBank, forFoodBank, 'accepted');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('accepted');
  });

  it('a person with roles in two organizations acts for both, and only those', async () => {
    const me = await t.app.inject({ url: '/notify/acting-for', headers: users.dual });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({ any: false });
    expect([...me.json().organizations].sort()).toEqual([orgs.county, orgs.shelter].sort());
    // As the shelter (the second role) the same user accepts the shelter's referral ...
    const res = await put(users.dual, forShelter, 'accepted');
    expect(res.statusCode, res.body).toBe(200);
    // ... and cannot read the food bank's inbox.
    const inbox = await t.app.inject({
      url: `/notify/inbox/unread-count?recipient=Organization/${orgs.foodBank}`,
      headers: users.dual,
    });
    expect(inbox.statusCode).toBe(403);
  });

  it('a user cannot make themselves act for another organization by writing a PractitionerRole', async () => {
    const me = await t.app.inject({ url: '/notify/acting-for', headers: users.other });
    const role = await t.app.inject({
      method: 'POST',
      url: '/fhir/PractitionerRole',
      headers: users.other,
      payload: {
        resourceType: 'PractitionerRole',
        active: true,
        practitioner: { reference: me.json().people.find((p: string) => p.startsWith('Practitioner/')) },
        organization: { reference: `Organization/${orgs.foodBank}` },
      },
    });
    // The policy refuses the write today; whatever it answers, the user gains no organization.
    expect(role.statusCode).toBeGreaterThanOrEqual(400);
    const after = await t.app.inject({ url: '/notify/acting-for', headers: users.other });
    expect(after.json().organizations).toEqual([orgs.other]);
    const res = await put(users.other, forFoodBank, 'in-progress');
    expect(res.statusCode, res.body).toBe(403);
  });

  it('an inbox is read only by those who act for its recipient; the reader is the signed-in user', async () => {
    const url = `/notify/inbox?recipient=Organization/${orgs.county}`;
    expect((await t.app.inject({ url, headers: users.other })).statusCode).toBe(403);
    expect((await t.app.inject({ url, headers: users.foodBank })).statusCode).toBe(403);
    const mine = await t.app.inject({ url, headers: users.county });
    expect(mine.statusCode, mine.body).toBe(200);
    const items = mine.json().items as { communication: { id: string; about: { reference: string }[] } }[];
    const accepted = items.find((i) => i.communication.about[0].reference === `Task/${forFoodBank.id}`);
    expect(accepted, JSON.stringify(items)).toBeDefined();
    const before = mine.json().unread as number;
    const read = await t.app.inject({
      method: 'POST',
      url: `/notify/inbox/${accepted!.communication.id}/read`,
      headers: users.county,
      payload: { recipient: `Organization/${orgs.county}`, reader: 'someone-else' },
    });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().unread).toBe(before - 1);
    const { rows } = await t.kith.store.queryable.query(
      'select read_by from notify_inbox where communication_id = $1',
      [accepted!.communication.id],
    );
    expect(rows[0].read_by).not.toBe('someone-else');
    expect(rows[0].read_by).toMatch(/./);
    // Marking another organization's message is refused the same way.
    const spoof = await t.app.inject({
      method: 'POST',
      url: `/notify/inbox/${accepted!.communication.id}/read`,
      headers: users.other,
      payload: { recipient: `Organization/${orgs.county}` },
    });
    expect(spoof.statusCode).toBe(403);
  });

  it('administrators act for any organization', async () => {
    const admin = await t.tokenFor({ username: 'admin' });
    const res = await t.app.inject({
      url: '/notify/acting-for',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.json().any).toBe(true);
    const inbox = await t.app.inject({
      url: `/notify/inbox/unread-count?recipient=Organization/${orgs.foodBank}`,
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(inbox.statusCode).toBe(200);
  });
});
