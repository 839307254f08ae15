/**
 * Generated agreement test: for organization kinds × access levels × purposes × roles × scopes ×
 * break-glass × consent states × labels × compartments × custodians, the rows `visibilitySql`
 * returns from a real fhir_resources table (PGlite) are exactly the resources `decide` permits
 * (or redacts), with the consents stored by syncConsentGrants and read back by loadGrants.
 */
import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessLevel, Caller, CallerOrganization, OrganizationKind, Scope } from '../caller';
import { migrate } from '../../store/db/migrate';
import { openDatabase, type Database } from '../../store/db/database';
import { storeMigrations } from '../../store/migrations';
import { SqlParams } from '../../store/search/params';
import { ACTOR_GROUP_SYSTEM, consentMigrations, loadGrants, syncConsentGrants, type Grant } from '../consent';
import { accessColumnsMigration, decide, visibilitySql } from './index';

const SEED = Number(process.env.KITH_POLICY_SEED ?? 20260701);
const NOW = new Date('2025-06-30T12:00:00Z');

function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  return { next, pick, chance: (p: number) => next() < p };
}
const R = rng(SEED);

const ORGS: CallerOrganization[] = [
  { id: 'clinic', kind: 'provider', hipaaCoveredEntity: true, part2Program: false },
  { id: 'bh', kind: 'provider', hipaaCoveredEntity: true, part2Program: true },
  { id: 'plan', kind: 'health-plan', hipaaCoveredEntity: true, part2Program: false },
  { id: 'hhsa', kind: 'county-agency', hipaaCoveredEntity: true, part2Program: false },
  { id: 'dss', kind: 'county-agency', hipaaCoveredEntity: false, part2Program: false },
  { id: 'foodbank', kind: 'cbo', hipaaCoveredEntity: false, part2Program: false },
  { id: 'legal', kind: 'cbo', hipaaCoveredEntity: false, part2Program: false },
  { id: 'state', kind: 'state' as OrganizationKind, hipaaCoveredEntity: false, part2Program: false },
];
const PATIENTS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
const LABELS: string[][] = [
  [],
  ['N'],
  ['R'],
  ['V'],
  ['42CFRPart2', 'ETH', 'NORDSCLCD', 'R'],
  ['ETH', 'R'],
  ['PSY', 'R'],
  ['HIV', 'R'],
  ['R', 'SDV'],
  ['HIV', 'PSY', 'R'],
  ['PSY', 'R', 'SDV'],
  ['SDV'],
];
const TYPES = ['Observation', 'Condition', 'Encounter', 'ServiceRequest', 'Person', 'Consent', 'AuditEvent'];
const COMPARTMENTS = [[], ['p1'], ['p2'], ['p3'], ['p4'], ['p5'], ['p6'], ['p1', 'p2'], ['p3', 'p5']];
const CUSTODIANS = [null, null, null, 'clinic', 'bh', 'foodbank', 'dss'];

interface Row {
  resourceType: string;
  id: string;
  security: string[];
  compartment: string[];
  custodian: string | null;
}

function makeRows(): Row[] {
  const rows: Row[] = PATIENTS.flatMap((p) =>
    [[], ['N'], ['R', 'SDV'], ['SDV'], ['PSY', 'R', 'SDV'], ['ETH', 'R']].map((security, i) => ({
      resourceType: 'Patient',
      id: i === 0 ? p : `${p}-v${i}`,
      security,
      compartment: [`Patient/${i === 0 ? p : `${p}-v${i}`}`].map(() => `Patient/${p}`),
      custodian: R.pick(CUSTODIANS),
    })),
  );
  for (let i = 0; i < 240; i++) {
    rows.push({
      resourceType: i < 14 ? ['Organization', 'Location'][i % 2] : R.pick(TYPES),
      id: `r${i}`,
      security: R.pick(LABELS),
      compartment: i < 14 ? [] : R.pick(COMPARTMENTS).map((p) => `Patient/${p}`),
      custodian: R.pick(CUSTODIANS),
    });
  }
  return rows;
}

const ircp = { coding: [{ code: 'IRCP' }] };
function actors(): ConsentProvision['actor'] {
  const roll = R.next();
  if (roll < 0.2) return undefined;
  if (roll < 0.3)
    return [
      { role: ircp, reference: { identifier: { system: ACTOR_GROUP_SYSTEM, value: 'covered-entities' } } },
    ];
  if (roll < 0.35)
    return [{ role: ircp, reference: { identifier: { system: ACTOR_GROUP_SYSTEM, value: 'all' } } }];
  const n = 1 + Math.floor(R.next() * 3);
  return Array.from({ length: n }, () => ({
    role: ircp,
    reference: { reference: `Organization/${R.pick(ORGS).id}` },
  }));
}
function provision(depth: number, rows: Row[]): ConsentProvision {
  const p: ConsentProvision = { type: R.chance(depth === 0 ? 0.75 : 0.5) ? 'permit' : 'deny' };
  const a = actors();
  if (a) p.actor = a;
  const labels = R.pick([
    [],
    ['N'],
    ['R'],
    ['ETH', '42CFRPart2'],
    ['ETH'],
    ['PSY'],
    ['HIV'],
    ['SDV'],
    ['N', 'R'],
    ['V'],
  ]);
  if (labels.length) p.securityLabel = labels.map((code) => ({ code }));
  const purposes = R.pick([[], ['TREAT'], ['COC'], ['CAREMGT'], ['TREAT', 'HPAYMT', 'HOPERAT'], ['BTG']]);
  if (purposes.length) p.purpose = purposes.map((code) => ({ code }));
  if (R.chance(0.15)) p.class = [{ code: R.pick(['Observation', 'Condition', 'Patient']) }];
  if (R.chance(0.05))
    p.data = [
      { meaning: 'instance', reference: { reference: `${R.pick(rows).resourceType}/${R.pick(rows).id}` } },
    ];
  if (R.chance(0.3))
    p.period = R.pick([
      { start: '2025-01-01', end: '2025-12-31' },
      { start: '2024-01-01', end: '2025-06-29' },
      { start: '2025-07-01' },
      { end: '2025-06-30' },
    ]);
  if (depth < 2 && R.chance(0.45))
    p.provision = Array.from({ length: 1 + Math.floor(R.next() * 2) }, () => provision(depth + 1, rows));
  return p;
}
function makeConsents(rows: Row[]): Consent[] {
  const out: Consent[] = [];
  for (const patient of PATIENTS)
    for (let i = 0, n = 3 + Math.floor(R.next() * 5); i < n; i++)
      out.push({
        resourceType: 'Consent',
        id: `k-${patient}-${i}`,
        status: R.chance(0.85) ? 'active' : 'inactive',
        scope: { coding: [{ code: 'patient-privacy' }] },
        category: [],
        patient: { reference: `Patient/${patient}` },
        provision: provision(0, rows),
      });
  return out;
}

function makeCallers(): Caller[] {
  const levels: AccessLevel[] = ['view-only', 'exchange', 'edit'];
  const purposes = ['TREAT', 'CAREMGT', 'COC', 'HPAYMT', 'HOPERAT', 'PUBHLTH', 'ETREAT'];
  const scopeSets: Scope[][] = [
    [{ context: 'user', type: '*', ops: 'cruds' }],
    [{ context: 'user', type: '*', ops: 'cruds' }],
    [
      { context: 'user', type: 'Observation', ops: 'rs' },
      { context: 'user', type: 'Patient', ops: 's' },
    ],
    [{ context: 'patient', type: '*', ops: 'rs' }],
    [{ context: 'user', type: '*', ops: 'r' }],
    [],
  ];
  const callers: Caller[] = [];
  for (const org of ORGS)
    for (const purposeOfUse of purposes)
      for (let k = 0; k < 3; k++) {
        const scopes = k === 0 ? scopeSets[0] : R.pick(scopeSets);
        const c: Caller = {
          kind: 'user',
          subject: `${org.id}-${purposeOfUse}-${k}`,
          organization: org,
          accessLevel: R.pick(levels),
          roles: R.chance(0.08) ? ['administrator'] : R.chance(0.1) ? ['data-steward'] : [],
          purposeOfUse,
          scopes,
          ...(scopes[0]?.context === 'patient' ? { patient: R.pick(PATIENTS) } : {}),
          ...(R.chance(0.15) ? { practitionerRole: 'PractitionerRole/pr1' } : {}),
        };
        if (purposeOfUse === 'ETREAT' && R.chance(0.7))
          c.breakGlass = R.pick([
            { until: '2025-06-30T13:00:00Z', reason: 'unconscious in ED' },
            { until: '2025-06-30T11:00:00Z', reason: 'expired' },
            { until: '2025-07-02T12:00:00Z', reason: 'too long' },
            { until: '2025-06-30T13:00:00Z', reason: ' ' },
          ]);
        callers.push(c);
      }
  const system = (roles: Caller['roles'], extra: Partial<Caller> = {}): Caller => ({
    kind: 'client',
    subject: roles.join('+') || 'client',
    accessLevel: 'view-only',
    roles,
    purposeOfUse: 'HOPERAT',
    scopes: [{ context: 'system', type: '*', ops: 'cruds' }],
    ...extra,
  });
  // Fixed callers so every seed reaches break-glass (valid, and refused to a CBO).
  for (const org of [ORGS[0], ORGS[5]])
    callers.push({
      kind: 'user',
      subject: `${org.id}-break-glass`,
      organization: org,
      accessLevel: 'edit',
      roles: [],
      purposeOfUse: 'ETREAT',
      scopes: [{ context: 'user', type: '*', ops: 'cruds' }],
      breakGlass: { until: '2025-06-30T13:00:00Z', reason: 'unconscious in ED' },
    });
  callers.push(system(['administrator']), system(['data-steward']), system([]));
  callers.push({ ...system([]), kind: 'anonymous' });
  callers.push(
    system(['administrator'], { scopes: [{ context: 'patient', type: '*', ops: 's' }], patient: 'p2' }),
  );
  return callers;
}

let db: Database;
let rows: Row[];
let grants: Grant[];

beforeAll(async () => {
  db = await openDatabase({ dataDir: 'memory://' });
  // storeMigrations include the access columns (as store-0002-access-columns).
  await migrate(db, [...storeMigrations, ...consentMigrations]);
  rows = makeRows();
  for (const r of rows)
    await db.query(
      `insert into fhir_resources (resource_type, id, version_id, last_updated, content, security, compartment, custodian)
       values ($1, $2, 1, now(), $3::jsonb, $4::text[], $5::text[], $6)`,
      [
        r.resourceType,
        r.id,
        JSON.stringify({ resourceType: r.resourceType, id: r.id }),
        r.security,
        r.compartment,
        r.custodian,
      ],
    );
  await db.query(
    `insert into fhir_resources (resource_type, id, version_id, last_updated, content) values ('Observation', 'unindexed', 1, now(), '{}')`,
  );
  for (const c of makeConsents(rows)) await syncConsentGrants(db, c);
  grants = await loadGrants(db, PATIENTS);
}, 180_000);
afterAll(async () => db?.close());

const key = (type: string, id: string) => `${type}/${id}`;

async function sqlVisible(
  caller: Caller,
  options: { resourceType?: string; allowRedacted?: boolean },
): Promise<string[]> {
  const p = new SqlParams();
  const typeCond = options.resourceType ? `r.resource_type = ${p.add(options.resourceType)}` : 'true';
  const v = visibilitySql(caller, p, { ...options, now: NOW });
  const sql = `select r.resource_type, r.id from fhir_resources r where ${typeCond} and (${v ?? 'true'}) and r.id <> 'unindexed'`;
  const { rows: found } = await db.query(sql, p.values).catch((e) => {
    throw new Error(`${e.message}\n${sql}\n${JSON.stringify(p.values)}`);
  });
  return found.map((f) => key(f.resource_type, f.id)).sort();
}

describe('decide and visibilitySql agree', () => {
  it('for every generated caller, over every row', async () => {
    const callers = makeCallers();
    const seen = new Map<string, number>();
    let checked = 0;
    for (const caller of callers) {
      const decisions = rows.map((r) => {
        const d = decide(
          caller,
          {
            resourceType: r.resourceType,
            id: r.id,
            labels: r.security,
            patientIds: r.compartment,
            action: 'search',
            custodian: r.custodian ?? undefined,
          },
          grants,
          { now: NOW },
        );
        seen.set(`${d.decision}:${d.ruleId}`, (seen.get(`${d.decision}:${d.ruleId}`) ?? 0) + 1);
        return { row: r, d };
      });
      const expectVisible = (pred: (d: (typeof decisions)[number]) => boolean, type?: string) =>
        decisions
          .filter((x) => (!type || x.row.resourceType === type) && pred(x))
          .map((x) => key(x.row.resourceType, x.row.id))
          .sort();
      const label = `seed ${SEED}, caller ${JSON.stringify(caller)}`;
      expect(await sqlVisible(caller, {}), label).toEqual(expectVisible((x) => x.d.decision !== 'deny'));
      expect(await sqlVisible(caller, { allowRedacted: false }), label).toEqual(
        expectVisible((x) => x.d.decision === 'permit'),
      );
      for (const type of ['Patient', 'Observation', 'AuditEvent']) {
        expect(await sqlVisible(caller, { resourceType: type }), `${label} ${type}`).toEqual(
          expectVisible((x) => x.d.decision !== 'deny', type),
        );
      }
      checked += rows.length;
    }
    // The matrix reaches every kind of decision.
    const reached = [...seen.keys()];
    for (const expected of [
      'permit:covered-entity-tpo',
      'permit:consent-permit',
      'permit:own-records',
      'permit:reference-data',
      'permit:break-glass',
      'permit:administrator-operations',
      'permit:data-steward-identity',
      'redact:redact-dv-contact',
      'deny:consent-deny',
      'deny:consent-required',
      'deny:part2-named-consent',
      'deny:psy-needs-consent',
      'deny:hiv-needs-consent',
      'deny:sdv-needs-consent',
      'deny:restricted-needs-consent',
      'deny:audit-administrators-only',
      'deny:smart-scope',
      'deny:no-identity',
      'deny:no-organization',
    ])
      expect(reached, expected).toContain(expected);
    expect(checked).toBeGreaterThan(40_000);
  }, 600_000);

  it('hides rows whose access columns were never computed from everyone but administrators', async () => {
    const p = new SqlParams();
    const clinic: Caller = {
      kind: 'user',
      subject: 'u',
      organization: ORGS[0],
      accessLevel: 'edit',
      roles: [],
      purposeOfUse: 'TREAT',
      scopes: [{ context: 'user', type: '*', ops: 'cruds' }],
    };
    const sql = visibilitySql(clinic, p, { now: NOW });
    const { rows: found } = await db.query(
      `select id from fhir_resources r where r.id = 'unindexed' and ${sql}`,
      p.values,
    );
    expect(found).toEqual([]);
  });

  it('privacy-0002 refuses to run before the store migration that creates fhir_resources', async () => {
    const fresh = await openDatabase({ dataDir: 'memory://' });
    try {
      await expect(migrate(fresh, [accessColumnsMigration])).rejects.toThrow(
        /must run after store-0001-resources/,
      );
    } finally {
      await fresh.close();
    }
  }, 180_000);
});
