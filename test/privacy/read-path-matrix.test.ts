// Generated authorization matrix over the read paths: organization kinds × access levels × consent
// states × security labels. The oracle is the policy's own `decide` on each stored row (its labels,
// compartment, custodian and the person's consent grants); every read path must return exactly what
// it permits: read, vread, history, search with totals, _include, _revinclude, _has, chains and
// the Patient/$everything export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consent, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { startTestKith, type TestKith } from '../helpers/kith';
import { FhirService } from '../../src/fhir/service';
import type { Caller, CallerOrganization } from '../../src/privacy/caller';
import { loadGrants } from '../../src/privacy/consent';
import { decide } from '../../src/privacy/policy';
import { callerApp, clientFor, org, user } from './policy-setup';

const LOINC = 'http://loinc.org';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const IRCP = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }],
};
const GROUP = 'https://kith.example.org/fhir/sid/consent-actor-group';

const CUSTODIAN = org('m-clinic', 'provider', true);
/** One organization per kind, with the purpose its staff use by default. */
const KINDS: { org: CallerOrganization; purpose: string }[] = [
  { org: org('m-county', 'county-agency', true), purpose: 'TREAT' },
  { org: org('m-cbo', 'cbo', false), purpose: 'COC' },
  { org: org('m-state', 'state', false), purpose: 'HOPERAT' },
  { org: org('m-plan', 'health-plan', true), purpose: 'HPAYMT' },
  { org: org('m-rehab', 'provider', true, true), purpose: 'TREAT' },
];
const LEVELS = ['view-only', 'exchange', 'edit'] as const;

const CALLERS: Record<string, Caller> = { custodian: user('m-custodian', CUSTODIAN) };
for (const k of KINDS)
  for (const level of LEVELS)
    CALLERS[`${k.org.id}:${level}`] = user(`${k.org.id}-${level}`, k.org, {
      accessLevel: level,
      purposeOfUse: k.purpose,
    });

/** Consent states, one person each. */
const PATIENTS = ['m-none', 'm-permit', 'm-optout', 'm-nested'];
const FAMILY: Record<string, string> = {
  'm-none': 'Noconsent',
  'm-permit': 'Permitall',
  'm-optout': 'Optedout',
  'm-nested': 'Nestedexc',
};
const coded = (system: string, code: string) => ({ coding: [{ system, code }] });
/** Per person: normal, PSY, ETH (Part 2), HIV and SDV data, labeled by Kith's rules on write. */
const dataOf = (p: string): Resource[] => {
  const subject = { reference: `Patient/${p}` };
  return [
    { resourceType: 'Patient', id: p, name: [{ family: FAMILY[p] }] },
    { resourceType: 'Observation', id: `${p}-n`, status: 'final', code: coded(LOINC, '8867-4'), subject },
    { resourceType: 'Observation', id: `${p}-hiv`, status: 'final', code: coded(LOINC, '75622-1'), subject },
    { resourceType: 'Observation', id: `${p}-sdv`, status: 'final', code: coded(LOINC, '76501-6'), subject },
    { resourceType: 'Condition', id: `${p}-psy`, code: coded(ICD10, 'F32.9'), subject },
    { resourceType: 'Condition', id: `${p}-eth`, code: coded(ICD10, 'F10.20'), subject },
  ];
};

function consent(id: string, patient: string, provision: Consent['provision']): Consent {
  return {
    resourceType: 'Consent',
    id,
    status: 'active',
    scope: coded('http://terminology.hl7.org/CodeSystem/consentscope', 'patient-privacy'),
    category: [coded(LOINC, '59284-0')],
    patient: { reference: `Patient/${patient}` },
    policyRule: coded(ACT, 'OPTIN'),
    provision,
  };
}
const labels = (...codes: string[]) => codes.map((code) => ({ system: code === 'N' ? CONF : ACT, code }));
const CONSENTS: Consent[] = [
  consent('mc-permit', 'm-permit', {
    type: 'permit',
    actor: KINDS.map((k) => ({ role: IRCP, reference: { reference: `Organization/${k.org.id}` } })),
    securityLabel: labels('N', 'PSY', 'ETH', 'HIV', 'SDV'),
  }),
  { ...consent('mc-optout', 'm-optout', { type: 'deny' }), policyRule: coded(ACT, 'OPTOUT') },
  consent('mc-nested', 'm-nested', {
    type: 'permit',
    actor: [{ role: IRCP, reference: { identifier: { system: GROUP, value: 'covered-entities' } } }],
    securityLabel: labels('N', 'PSY', 'HIV'),
    provision: [{ type: 'deny', securityLabel: labels('PSY') }],
  }),
];

let t: TestKith;
let app: FastifyInstance;
/** `Type/id` → the policy's verdict per caller. */
const visible = new Map<string, Set<string>>();

beforeAll(async () => {
  t = await startTestKith();
  app = await callerApp(t.kith, CALLERS);
  const system = new FhirService(t.kith.store);
  for (const o of [CUSTODIAN, ...KINDS.map((k) => k.org)])
    await system.update('Organization', o.id, { resourceType: 'Organization', id: o.id, name: o.id });
  const custodian = clientFor(app, 'custodian');
  for (const p of PATIENTS)
    for (const r of dataOf(p)) {
      const res = await custodian.put(`${r.resourceType}/${r.id}`, r);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  for (const c of CONSENTS) await system.update('Consent', c.id!, c);
  // The oracle: decide on each stored row, with the grants of its people.
  const { rows } = await t.kith.db.query(
    `select resource_type, id, security, compartment, custodian from fhir_resources
      where resource_type in ('Patient', 'Observation', 'Condition') and id like 'm-%'`,
  );
  for (const [name, caller] of Object.entries(CALLERS)) {
    const seen = new Set<string>();
    for (const r of rows) {
      const patients = (r.compartment ?? []).map((c: string) => c.replace(/^Patient\//, ''));
      const grants = await loadGrants(t.kith.db, patients);
      const d = decide(
        caller,
        {
          resourceType: r.resource_type,
          id: r.id,
          action: 'read',
          labels: r.security ?? [],
          patientIds: patients,
          custodian: r.custodian ?? undefined,
        },
        grants,
      );
      if (d.decision !== 'deny') seen.add(`${r.resource_type}/${r.id}`);
    }
    visible.set(name, seen);
  }
}, 300_000);
afterAll(async () => {
  await app?.close();
  await t?.close();
});

const sorted = (a: Iterable<string>) => [...a].sort();

describe('generated read-path matrix', () => {
  it('the matrix is not trivial: callers differ, and each consent state and label matters', () => {
    const sets = new Set([...visible.values()].map((s) => sorted(s).join()));
    expect(sets.size).toBeGreaterThanOrEqual(3);
    expect(visible.get('custodian')!.size).toBe(PATIENTS.length * 6);
    expect(visible.get('m-cbo:edit')!.has('Observation/m-none-n')).toBe(false);
    expect(visible.get('m-cbo:edit')!.has('Condition/m-permit-eth')).toBe(true);
    expect(visible.get('m-county:edit')!.has('Condition/m-nested-psy')).toBe(false);
    expect(visible.get('m-county:edit')!.has('Observation/m-nested-hiv')).toBe(true);
    expect(visible.get('m-county:edit')!.has('Observation/m-optout-n')).toBe(false);
  });

  for (const name of Object.keys(CALLERS))
    it(`${name}: every read path returns exactly what the policy permits`, async () => {
      const c = clientFor(app, name);
      const ok = visible.get(name)!;
      const mine = (p: string, type?: string) =>
        sorted(
          dataOf(p)
            .map((r) => `${r.resourceType}/${r.id}`)
            .filter((ref) => ok.has(ref) && (!type || ref.startsWith(`${type}/`))),
        );
      for (const p of PATIENTS) {
        const patientVisible = ok.has(`Patient/${p}`);
        // read and vread
        for (const r of dataOf(p)) {
          const ref = `${r.resourceType}/${r.id}`;
          expect((await c.get(ref)).status, `${name} read ${ref}`).toBe(ok.has(ref) ? 200 : 404);
        }
        for (const id of [`${p}-psy`, `${p}-eth`]) {
          const ref = `Condition/${id}`;
          expect((await c.get(`${ref}/_history/1`)).status, `${name} vread ${ref}`).toBe(
            ok.has(ref) ? 200 : 404,
          );
          const history = await c.get(`${ref}/_history`);
          const entries = history.status === 200 ? (history.body.entry ?? []).length : 0;
          expect(entries > 0, `${name} history ${ref}`).toBe(ok.has(ref));
        }
        // search, with totals
        for (const type of ['Observation', 'Condition']) {
          const url = `${type}?subject=Patient/${p}&_total=accurate`;
          expect(await c.refs(url), `${name} ${url}`).toEqual(mine(p, type));
          expect(await c.total(url), `${name} total ${url}`).toBe(mine(p, type).length);
        }
        // _revinclude from the person, _include from the data
        const rev = `Patient?_id=${p}&_revinclude=Observation:subject&_revinclude=Condition:subject`;
        expect(await c.refs(rev), `${name} ${rev}`).toEqual(patientVisible ? mine(p) : []);
        const inc = `Observation?subject=Patient/${p}&_include=Observation:subject`;
        expect(await c.refs(inc, 'include'), `${name} ${inc}`).toEqual(
          patientVisible && mine(p, 'Observation').length ? [`Patient/${p}`] : [],
        );
        // _has through a hidden Condition, and a chain through a hidden Patient, find nothing
        const has = `Patient?_id=${p}&_has:Condition:subject:code=F32.9`;
        expect(await c.refs(has), `${name} ${has}`).toEqual(
          patientVisible && ok.has(`Condition/${p}-psy`) ? [`Patient/${p}`] : [],
        );
        const chain = `Condition?subject:Patient.family=${FAMILY[p]}`;
        expect(await c.refs(chain), `${name} ${chain}`).toEqual(patientVisible ? mine(p, 'Condition') : []);
        // Patient/$everything (an export): the person's visible data, 404 when the person is hidden
        const all = `Patient/${p}/$everything?_type=Patient,Observation,Condition`;
        const everything = await c.get(all);
        expect(everything.status, `${name} ${all}`).toBe(patientVisible ? 200 : 404);
        if (patientVisible) {
          expect(await c.refs(all), `${name} ${all}`).toEqual(mine(p));
          expect(everything.body.total, `${name} total ${all}`).toBe(mine(p).length);
        }
      }
    });
});
