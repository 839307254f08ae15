// Referral create + notification enqueue throughput, as the web app sends them: each referral is one
// FHIR transaction (Consent limited to the referral, ServiceRequest, Task: web/src/referrals/
// referral-bundle.ts) posted by a county worker with a PractitionerRole, through the HTTP app (in
// process), with Gravity Task and ServiceRequest subscriptions in place (delivery worker off: this
// times the enqueue, in the write's transaction). Then the receiving organization's worker accepts
// each referral (GET + PUT with If-Match), which enqueues again and messages the sender's inbox.
// Prints one JSON line. Env: REF_REFERRALS (2000), REF_CONCURRENCY (8), REF_PATIENTS (200);
// BENCH_DB=pglite for in-memory PGlite, else a fresh PostgreSQL database on DATABASE_URL's server
// (or BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards.
import type { Bundle, HealthcareService, Resource, Task } from '@medplum/fhirtypes';
import { callerForUser, createUser, userScopeCeiling } from '../src/privacy/auth';
import { GRAVITY_SERVICEREQUEST_TOPIC, GRAVITY_TASK_TOPIC } from '../src/notify';
import { createdTaskId, referralTransaction, type ReferralDraft } from '../web/src/referrals/referral-bundle';
import { percentile } from './_measure';
import { openReferralApp } from './_server';

const REFERRALS = Number(process.env.REF_REFERRALS ?? 2000);
const CONCURRENCY = Number(process.env.REF_CONCURRENCY ?? 8);
const PATIENTS = Number(process.env.REF_PATIENTS ?? 200);

async function main(): Promise<void> {
  const { kith, app, close } = await openReferralApp('kith_bench_ref');

  // Two organizations, a worker with a PractitionerRole in each, a service of the receiver's.
  const sys = kith.store;
  const create = async <T extends Resource>(r: T): Promise<T & { id: string }> =>
    (await sys.create(r)).resource as T & { id: string };
  const county = await create({ resourceType: 'Organization', name: 'Bench County HHS' });
  const pantry = await create({ resourceType: 'Organization', name: 'Bench Food Bank' });
  const service = await create<HealthcareService>({
    resourceType: 'HealthcareService',
    active: true,
    name: 'Bench pantry',
    providedBy: { reference: `Organization/${pantry.id}` },
  });
  const worker = async (name: string, org: string, covered: boolean): Promise<Record<string, string>> => {
    const practitioner = await create({ resourceType: 'Practitioner', name: [{ family: name }] });
    const role = await create({
      resourceType: 'PractitionerRole',
      active: true,
      practitioner: { reference: `Practitioner/${practitioner.id}` },
      organization: { reference: `Organization/${org}` },
    });
    const user = await createUser(kith.db, {
      username: `bench-${name}`,
      password: 'a long enough bench password 123',
      practitionerRole: `PractitionerRole/${role.id}`,
      organization: {
        id: org,
        kind: covered ? 'provider' : 'cbo',
        hipaaCoveredEntity: covered,
        part2Program: false,
      },
      accessLevel: 'edit',
      purposeOfUse: 'CAREMGT',
    });
    const caller = callerForUser(user, { scopes: userScopeCeiling(user), purposeOfUse: 'CAREMGT' });
    const { token } = await kith.auth.tokens.issue(caller);
    return { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' };
  };
  const sender = await worker('sender', county.id, true);
  const receiver = await worker('receiver', pantry.id, false);
  const patients: string[] = [];
  for (let i = 0; i < PATIENTS; i++)
    patients.push(
      (await create({ resourceType: 'Patient', name: [{ family: `Bench${i}`, given: ['Pat'] }] })).id,
    );
  for (const criteria of [GRAVITY_TASK_TOPIC, GRAVITY_SERVICEREQUEST_TOPIC])
    await create({
      resourceType: 'Subscription',
      status: 'requested',
      reason: 'bench',
      criteria,
      channel: { type: 'rest-hook', endpoint: 'http://127.0.0.1:9/none', payload: 'application/fhir+json' },
    } as Resource);
  const count = async (sql: string): Promise<number> => (await kith.db.query(sql)).rows[0].n;
  const outbox = () =>
    count(`select count(*)::int as n from notify_outbox where kind = 'event-notification'`);
  const inbox = () => count('select count(*)::int as n from notify_inbox');

  const run = async (n: number, one: (i: number) => Promise<void>) => {
    const latencies: number[] = [];
    let next = 0;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < n) {
          const i = next++;
          const s = process.hrtime.bigint();
          await one(i);
          latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
        }
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    return {
      perSecond: Math.round((n / seconds) * 10) / 10,
      latencyMs: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
      },
    };
  };

  // Warm-up (statement plans, caches), not counted.
  const taskIds: string[] = [];
  const send = async (i: number, keep: boolean) => {
    const draft: ReferralDraft = {
      patient: `Patient/${patients[i % patients.length]}`,
      service,
      owner: { reference: `Organization/${pantry.id}`, display: 'Bench Food Bank' },
      requester: { reference: `Organization/${county.id}` },
      category: 'food-insecurity',
      reason: 'Ran out of food before the end of the month',
      consent: true,
    };
    const r = await app.inject({
      method: 'POST',
      url: '/fhir',
      headers: sender,
      payload: JSON.stringify(referralTransaction(draft)),
    });
    if (r.statusCode !== 200)
      throw new Error(`referral transaction: ${r.statusCode} ${r.body.slice(0, 400)}`);
    const id = createdTaskId(JSON.parse(r.body) as Bundle, draft);
    if (!id) throw new Error(`no Task id in ${r.body.slice(0, 400)}`);
    if (keep) taskIds.push(id);
  };
  for (let i = 0; i < Math.min(20, REFERRALS); i++) await send(i, false);

  const outbox0 = await outbox();
  const inbox0 = await inbox();
  const created = await run(REFERRALS, (i) => send(i, true));
  const outbox1 = await outbox();
  const inbox1 = await inbox();

  const accepted = await run(taskIds.length, async (i) => {
    const url = `/fhir/Task/${taskIds[i]}`;
    const g = await app.inject({ method: 'GET', url, headers: receiver });
    if (g.statusCode !== 200) throw new Error(`GET ${url}: ${g.statusCode} ${g.body.slice(0, 300)}`);
    const task = JSON.parse(g.body) as Task;
    const p = await app.inject({
      method: 'PUT',
      url,
      headers: { ...receiver, 'if-match': `W/"${task.meta?.versionId}"` },
      payload: JSON.stringify({ ...task, status: 'accepted' }),
    });
    if (p.statusCode !== 200) throw new Error(`PUT ${url}: ${p.statusCode} ${p.body.slice(0, 300)}`);
  });
  const outbox2 = await outbox();
  const inbox2 = await inbox();
  const referralRows = await count(`select count(*)::int as n from referral where status = 'accepted'`);

  console.log(
    JSON.stringify({
      bench: 'referrals',
      db: kith.db.kind,
      referrals: REFERRALS,
      concurrency: CONCURRENCY,
      create: {
        ...created,
        notificationsEnqueued: outbox1 - outbox0,
        inboxMessages: inbox1 - inbox0,
      },
      accept: {
        ...accepted,
        notificationsEnqueued: outbox2 - outbox1,
        inboxMessages: inbox2 - inbox1,
        referralsIndexedAccepted: referralRows,
      },
    }),
  );
  await close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
