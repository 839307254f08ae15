// Consents limited to data categories (Consent.provision.class codings of a category system, e.g.
// us-core `sdoh`, condition-category `health-concern`): the resource's category is a column the
// policy's SQL reads, so reads, searches with totals, _include, _revinclude and history all agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsentProvision, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import type { TestKith } from '../helpers/kith';
import {
  privacyConsent,
  recipientOrganization,
  startPolicyWorld,
  type PolicyWorld,
} from '../helpers/privacy-world';
import type { Caller } from '../../src/privacy/caller';
import { clientFor, org, user } from './policy-setup';

const US_CORE = 'http://hl7.org/fhir/us/core/CodeSystem/us-core-category';
const OBS_CAT = 'http://terminology.hl7.org/CodeSystem/observation-category';
const COND_CAT = 'http://hl7.org/fhir/us/core/CodeSystem/condition-category';
const TYPES = 'http://hl7.org/fhir/resource-types';

const CLINIC = org('clinic', 'provider', true);
const X = org('cbo-x', 'cbo', false);
const Y = org('cbo-y', 'cbo', false);
const W = org('cbo-w', 'cbo', false);
const CALLERS: Record<string, Caller> = {
  clinic: user('clinic-nurse', CLINIC),
  x: user('x-worker', X, { purposeOfUse: 'COC' }),
  y: user('y-worker', Y, { purposeOfUse: 'COC' }),
  w: user('w-worker', W, { purposeOfUse: 'COC' }),
};

const cat = (system: string, code: string) => [{ coding: [{ system, code }] }];
const subject = { reference: 'Patient/p1' };
const DATA: Resource[] = [
  { resourceType: 'Patient', id: 'p1', name: [{ family: 'Category', given: ['Cy'] }] },
  {
    resourceType: 'Observation',
    id: 'p1-sdoh',
    status: 'final',
    category: cat(US_CORE, 'sdoh'),
    code: { text: 'food insecurity' },
    subject,
  },
  {
    resourceType: 'Observation',
    id: 'p1-vitals',
    status: 'final',
    category: cat(OBS_CAT, 'vital-signs'),
    code: { text: 'heart rate' },
    subject,
  },
  {
    resourceType: 'Condition',
    id: 'p1-concern',
    category: cat(COND_CAT, 'health-concern'),
    code: { text: 'housing instability' },
    subject,
  },
  {
    resourceType: 'Condition',
    id: 'p1-problem',
    category: cat(COND_CAT, 'problem-list-item'),
    code: { text: 'hypertension' },
    subject,
  },
];
const ALL = DATA.map((r) => `${r.resourceType}/${r.id}`).sort();

const consent = (id: string, provision: ConsentProvision) => privacyConsent(id, 'p1', provision);
const actor = (id: string) => [recipientOrganization(id)];

/** X: only SDOH observations and health concerns (types and categories: a resource matches both). */
const X_CONSENT = consent('k-x', {
  type: 'permit',
  actor: actor('cbo-x'),
  class: [
    { system: TYPES, code: 'Observation' },
    { system: TYPES, code: 'Condition' },
    { system: US_CORE, code: 'sdoh' },
    { system: COND_CAT, code: 'health-concern' },
  ],
});
/** Y: all normal data except SDOH assessments. */
const Y_CONSENT = consent('k-y', {
  type: 'permit',
  actor: actor('cbo-y'),
  provision: [{ type: 'deny', class: [{ system: US_CORE, code: 'sdoh' }] }],
});

let t: TestKith;
let app: FastifyInstance;
let world: PolicyWorld;

beforeAll(async () => {
  world = await startPolicyWorld({
    callers: CALLERS,
    organizations: [CLINIC, X, Y, W],
    data: DATA,
    writtenBy: 'clinic',
    consents: [X_CONSENT, Y_CONSENT],
  });
  ({ t, app } = world);
}, 120_000);
afterAll(async () => world?.close());

/** What a caller sees: each resource read, searched (totals agree), and through includes. */
async function seen(caller: string) {
  const c = clientFor(app, caller);
  const read: string[] = [];
  for (const r of DATA) {
    const res = await c.get(`${r.resourceType}/${r.id}`);
    if (res.status === 200) read.push(`${r.resourceType}/${r.id}`);
    else expect(res.status).toBe(404);
  }
  const searches = ['Patient?_id=p1', 'Observation?subject=Patient/p1', 'Condition?subject=Patient/p1'];
  const searched: string[] = [];
  for (const s of searches) {
    const refs = await c.refs(s);
    expect(await c.total(`${s}&_total=accurate`), `${caller} ${s}`).toBe(refs.length);
    searched.push(...refs);
  }
  const byCategory = await c.refs('Observation?category=sdoh');
  const included = await c.refs('Observation?subject=Patient/p1&_include=Observation:subject');
  const revincluded = await c.refs(
    'Patient?_id=p1&_revinclude=Observation:subject&_revinclude=Condition:subject',
  );
  // Instance history of a resource the caller may not see answers 404, as its read does.
  const history: string[] = [];
  for (const ref of ['Observation/p1-sdoh', 'Condition/p1-concern']) {
    const res = await c.get(`${ref}/_history`);
    if (res.status === 200) history.push(...(await c.refs(`${ref}/_history`)));
    else expect(res.status).toBe(404);
  }
  history.sort();
  return { read: read.sort(), searched: searched.sort(), byCategory, included, revincluded, history };
}

describe('consents limited by data category', () => {
  it('stores the category limits as grant rows; the category column is computed from the content', async () => {
    const { rows } = await t.kith.db.query(
      `select consent_id, permit, depth, resource_types, categories from consent_grants
       where consent_id in ('k-x', 'k-y') order by consent_id, seq`,
    );
    expect(rows.map((r: any) => [r.consent_id, r.permit, r.depth, r.resource_types, r.categories])).toEqual([
      ['k-x', true, 0, ['Observation', 'Condition'], ['sdoh', 'health-concern']],
      ['k-y', true, 0, null, null],
      ['k-y', false, 1, null, ['sdoh']],
    ]);
    const cols = await t.kith.db.query(
      `select id, category from fhir_resources where id like 'p1%' order by id`,
    );
    expect(cols.rows.map((r: any) => `${r.id}:${r.category.join(',')}`)).toEqual([
      'p1:',
      'p1-concern:health-concern',
      'p1-problem:problem-list-item',
      'p1-sdoh:sdoh',
      'p1-vitals:vital-signs',
    ]);
  });

  it('a permit limited to SDOH observations and health concerns opens those and nothing else', async () => {
    const x = await seen('x');
    const expected = ['Condition/p1-concern', 'Observation/p1-sdoh'];
    expect(x.read).toEqual(expected);
    expect(x.searched).toEqual(expected);
    expect(x.byCategory).toEqual(['Observation/p1-sdoh']);
    // The Patient is not in the consent's classes: the include does not bring it.
    expect(x.included).toEqual(['Observation/p1-sdoh']);
    expect(x.revincluded).toEqual([]);
    expect(x.history).toEqual(expected);
  });

  it('a deny exception for the SDOH category hides that data and only that', async () => {
    const y = await seen('y');
    const expected = ALL.filter((r) => r !== 'Observation/p1-sdoh');
    expect(y.read).toEqual(expected);
    expect(y.searched).toEqual(expected);
    expect(y.byCategory).toEqual([]);
    expect(y.included).toEqual(['Observation/p1-vitals', 'Patient/p1']);
    expect(y.revincluded).toEqual(expected);
    expect(y.history).toEqual(['Condition/p1-concern']);
  });

  it('without a consent a CBO sees none of it; the custodian sees all', async () => {
    const w = await seen('w');
    expect([...w.read, ...w.searched, ...w.included, ...w.revincluded, ...w.history]).toEqual([]);
    const clinic = await seen('clinic');
    expect(clinic.read).toEqual(ALL);
    expect(clinic.revincluded).toEqual(ALL);
  });

  it('a category change of the resource takes effect on the next request', async () => {
    const system = world.system;
    const moved = { ...DATA[3], category: cat(COND_CAT, 'problem-list-item') } as Resource;
    await system.update('Condition', 'p1-concern', moved);
    const c = clientFor(app, 'x');
    expect((await c.get('Condition/p1-concern')).status).toBe(404);
    expect(await c.refs('Condition?subject=Patient/p1')).toEqual([]);
    // Older versions are hidden too: the current row's category also decides.
    expect((await c.get('Condition/p1-concern/_history/1')).status).toBe(404);
    await system.update('Condition', 'p1-concern', DATA[3]);
    expect((await c.get('Condition/p1-concern')).status).toBe(200);
  });
});
