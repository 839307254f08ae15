// Directory search latency with 50k services, and referral create + notification enqueue throughput.
// Loads HealthcareServices with Locations around a county seat, then times (in process, through the
// HTTP app) $directory-search near a point, FHIR HealthcareService?location.near with a category,
// and a words search; then creates referral Tasks (with a Task subscription in place) and counts
// the outbox. Prints one JSON line. Env: DIR_SERVICES (50000), DIR_QUERIES (300 per kind),
// DIR_EXPLAIN=1 (plans of each $directory-search kind on stderr), DIR_REFERRALS (1000; 0 skips that part: bench/referrals.ts times referrals as the web app sends them),
// BENCH_DB=pglite to run on in-memory PGlite, else a fresh PostgreSQL database on DATABASE_URL's server
// (or BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards.
import { randomUUID } from 'node:crypto';
import type { HealthcareService, Location, Resource } from '@medplum/fhirtypes';
import { SYSTEM_CALLER } from '../src/privacy/caller';
import { FhirService } from '../src/fhir/service';
import { GRAVITY_TASK_TOPIC } from '../src/notify';
import { EXT_ACCEPTS_REFERRALS, searchDirectory, directoryQueryFrom } from '../src/referrals';
import type { Queryable } from '../src/store';
import { percentile } from './_measure';
import { openReferralApp } from './_server';

const SERVICES = Number(process.env.DIR_SERVICES ?? 50_000);
const QUERIES = Number(process.env.DIR_QUERIES ?? 300);
const REFERRALS = Number(process.env.DIR_REFERRALS ?? 1000);
const SDOH = 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes';
const CATEGORIES = [
  'food-insecurity',
  'housing-instability',
  'homelessness',
  'transportation-insecurity',
  'financial-insecurity',
  'utility-insecurity',
  'inadequate-housing',
  'material-hardship',
  'employment-status',
  'educational-attainment',
  'social-connection',
  'intimate-partner-violence',
];
const WORDS = [
  'pantry',
  'meals',
  'shelter',
  'rent',
  'rides',
  'clinic',
  'legal',
  'jobs',
  'tutoring',
  'counseling',
];
const LANGS = ['en', 'es', 'vi', 'zh', 'tl', 'ru'];
const CENTER = { lat: 38.58, lon: -121.49 };

let seed = 7;
const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)];
const around = (): { lat: number; lon: number } => ({
  lat: CENTER.lat + (rand() - 0.5) * 1.2,
  lon: CENTER.lon + (rand() - 0.5) * 1.5,
});

async function main(): Promise<void> {
  const { kith, app, close } = await openReferralApp('kith_bench_dir');
  const auth = { authorization: `Bearer ${(await kith.auth.tokens.issue(SYSTEM_CALLER)).token}` };

  // Load: one Location per two services.
  const t0 = Date.now();
  const org = (await kith.store.create({ resourceType: 'Organization', name: 'Bench CBO' } as Resource))
    .resource;
  let batch: Resource[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length) await kith.store.createMany(batch);
    batch = [];
  };
  for (let i = 0; i < SERVICES; i += 2) {
    const p = around();
    const loc: Location = {
      resourceType: 'Location',
      id: randomUUID(),
      name: `Site ${i}`,
      position: { latitude: p.lat, longitude: p.lon },
    };
    batch.push(loc);
    for (let k = 0; k < 2 && i + k < SERVICES; k++) {
      const cat = pick(CATEGORIES);
      const word = pick(WORDS);
      const hs: HealthcareService = {
        resourceType: 'HealthcareService',
        id: randomUUID(),
        active: true,
        name: `${word} service ${i + k}`,
        comment: `Community ${word} program`,
        providedBy: { reference: `Organization/${org.id}` },
        category: [{ coding: [{ system: SDOH, code: cat }] }],
        communication: [{ coding: [{ system: 'urn:ietf:bcp:47', code: pick(LANGS) }] }],
        location: [{ reference: `Location/${loc.id}` }],
        availableTime: [
          {
            daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'],
            availableStartTime: '09:00:00',
            availableEndTime: '17:00:00',
          },
        ],
        extension: [{ url: EXT_ACCEPTS_REFERRALS, valueBoolean: rand() < 0.3 }],
      };
      batch.push(hs);
    }
    if (batch.length >= 900) await flush();
  }
  await flush();
  await kith.db.query('analyze');
  const loadSeconds = (Date.now() - t0) / 1000;

  const time = async (url: string): Promise<number> => {
    const s = process.hrtime.bigint();
    const r = await app.inject({ method: 'GET', url, headers: auth });
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 300)}`);
    return Number(process.hrtime.bigint() - s) / 1e6;
  };
  const point = (): string => {
    const p = around();
    return `${p.lat.toFixed(4)}|${p.lon.toFixed(4)}`;
  };
  const kinds: Record<string, () => string> = {
    directorySearchNear: () =>
      `/fhir/HealthcareService/$directory-search?near=${point()}|10|km&category=${pick(CATEGORIES)}&_count=20`,
    directorySearchNearOpenLang: () =>
      `/fhir/HealthcareService/$directory-search?near=${point()}|15|km&language=${pick(LANGS)}&open-now=true&_count=20`,
    directorySearchText: () =>
      `/fhir/HealthcareService/$directory-search?text=${pick(WORDS)}&category=${pick(CATEGORIES)}&_count=20`,
    fhirLocationNear: () =>
      `/fhir/HealthcareService?location.near=${point()}|5|km&service-category=${pick(CATEGORIES)}&_count=20`,
  };
  const latency: Record<string, { p50: number; p95: number; p99: number }> = {};
  for (const [name, url] of Object.entries(kinds)) {
    for (let i = 0; i < 20; i++) await time(url()); // warm up
    const xs: number[] = [];
    for (let i = 0; i < QUERIES; i++) xs.push(await time(url()));
    latency[name] = { p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99) };
  }
  // DIR_EXPLAIN=1: the plan of one $directory-search of each kind, on stderr.
  if (process.env.DIR_EXPLAIN) {
    for (const [name, url] of Object.entries(kinds)) {
      if (!url().includes('$directory-search')) continue;
      const query = Object.fromEntries(new URL(url(), 'http://x').searchParams);
      const explaining: Queryable = {
        query: async (sql: any, params?: unknown[]): Promise<any> => {
          if (typeof sql === 'string' && sql.trimStart().startsWith('select s.id')) {
            const plan = await kith.db.pool.query(`explain (analyze, buffers) ${sql}`, params as any[]);
            console.error(`-- ${name}\n${plan.rows.map((r: any) => r['QUERY PLAN']).join('\n')}`);
          }
          return kith.db.pool.query(sql, params as any[]);
        },
      };
      await searchDirectory(explaining, directoryQueryFrom(query));
    }
  }

  // Referral create + notification enqueue.
  const svc = new FhirService(kith.store);
  await svc.create('Subscription', {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'bench',
    criteria: GRAVITY_TASK_TOPIC,
    channel: { type: 'rest-hook', endpoint: 'http://127.0.0.1:9/none', payload: 'application/fhir+json' },
  });
  const patient = (await svc.create('Patient', { resourceType: 'Patient', name: [{ family: 'Bench' }] }))
    .version!.id;
  const receiver = (await svc.create('Organization', { resourceType: 'Organization', name: 'Receiver' }))
    .version!.id;
  const sr = (
    await svc.create('ServiceRequest', {
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: `Patient/${patient}` },
      category: [{ coding: [{ system: SDOH, code: 'food-insecurity' }] }],
    })
  ).version!.id;
  const before = (
    await kith.db.query(`select count(*)::int as n from notify_outbox where kind = 'event-notification'`)
  ).rows[0].n;
  const t1 = Date.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < REFERRALS) {
      next++;
      await svc.create('Task', {
        resourceType: 'Task',
        status: 'requested',
        intent: 'order',
        code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' }] },
        focus: { reference: `ServiceRequest/${sr}` },
        for: { reference: `Patient/${patient}` },
        requester: { reference: `Organization/${org.id}` },
        owner: { reference: `Organization/${receiver}` },
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const seconds = (Date.now() - t1) / 1000;
  const after = (
    await kith.db.query(`select count(*)::int as n from notify_outbox where kind = 'event-notification'`)
  ).rows[0].n;
  const enqueued = after - before;
  const inbox = (await kith.db.query('select count(*)::int as n from notify_inbox')).rows[0].n;

  console.log(
    JSON.stringify({
      bench: 'directory',
      db: kith.db.kind,
      services: SERVICES,
      locations: Math.ceil(SERVICES / 2),
      loadSeconds,
      queriesPerKind: QUERIES,
      latencyMs: latency,
      targetP99Ms: 50,
      referrals: REFERRALS,
      referralsPerSecond: Math.round((REFERRALS / seconds) * 10) / 10,
      notificationsEnqueued: enqueued,
      inboxMessages: inbox,
    }),
  );
  await close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
