// Generated authorization matrix over the read paths: organization kinds × access levels × consent
// states × security labels. The oracle is the policy's own `decide` on each stored row (its labels,
// compartment, custodian and the person's consent grants); every read path must return exactly what
// it permits: read, vread, history, search with totals, _include, _revinclude, _has, chains,
// the Patient/$everything export, the entries of batch and transaction responses, and Bulk Data
// Patient/$export files. Each Patient is labelled SDV with an address, so the oracle's `redact`
// verdicts (the address removed) are checked wherever a Patient comes back.
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
    {
      resourceType: 'Patient',
      id: p,
      name: [{ family: FAMILY[p] }],
      address: [{ city: 'Shelterville' }],
      meta: { security: [{ system: ACT, code: 'SDV' }] },
    },
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
/** `Type/id` the policy returns redacted, per caller (a subset of the visible ones). */
const redactedFor = new Map<string, Set<string>>();

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
    const redacted = new Set<string>();
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
      if (d.decision === 'redact') redacted.add(`${r.resource_type}/${r.id}`);
    }
    visible.set(name, seen);
    redactedFor.set(name, redacted);
  }
}, 300_000);
afterAll(async () => {
  await app?.close();
  await t?.close();
});

const sorted = (a: Iterable<string>) => [...a].sort();
const refOf = (r: Resource) => `${r.resourceType}/${r.id}`;

/** `Type/id` of a person's data the caller may see (of one type when named), sorted. */
function permitted(name: string, p: string, type?: string): string[] {
  const ok = visible.get(name)!;
  return sorted(
    dataOf(p)
      .map(refOf)
      .filter((ref) => ok.has(ref) && (!type || ref.startsWith(`${type}/`))),
  );
}

/** A returned resource is whole or the redacted copy exactly as the oracle says. */
function expectShape(name: string, r: Resource, where: string): void {
  const ref = refOf(r);
  const redacted = redactedFor.get(name)!.has(ref);
  const marked = (r.meta?.security ?? []).some((c) => c.code === 'REDACTED');
  expect(marked, `${name} ${where}: ${ref} redacted`).toBe(redacted);
  if (r.resourceType === 'Patient')
    expect((r as any).address, `${name} ${where}: ${ref} address`).toEqual(
      redacted ? undefined : [{ city: 'Shelterville' }],
    );
}

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
    // SDV on the Patient: redacted for a covered entity without an SDV consent, whole with one.
    expect(redactedFor.get('m-county:edit')!.has('Patient/m-none')).toBe(true);
    expect(visible.get('m-county:edit')!.has('Patient/m-permit')).toBe(true);
    expect(redactedFor.get('m-county:edit')!.has('Patient/m-permit')).toBe(false);
    expect(redactedFor.get('custodian')!.size).toBe(0);
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
          const read = await c.get(ref);
          expect(read.status, `${name} read ${ref}`).toBe(ok.has(ref) ? 200 : 404);
          if (read.status === 200) expectShape(name, read.body, 'read');
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

/** The reads and searches of a batch or transaction, with what each must answer for a caller. */
const BUNDLE_READS = PATIENTS.flatMap(dataOf).map(refOf);
const BUNDLE_SEARCHES = PATIENTS.flatMap((p) => [
  { url: `Patient?_id=${p}`, p, type: 'Patient' },
  { url: `Observation?subject=Patient/${p}`, p, type: 'Observation' },
  { url: `Condition?subject=Patient/${p}`, p, type: 'Condition' },
]);
const getEntry = (url: string) => ({ request: { method: 'GET', url } });

/** Checks a search entry of a Bundle response against the oracle. */
function expectSearchEntry(name: string, entry: any, s: (typeof BUNDLE_SEARCHES)[number], where: string) {
  expect(entry.response.status, `${name} ${where} ${s.url}`).toMatch(/^200/);
  const hits: Resource[] = (entry.resource.entry ?? []).map((e: any) => e.resource);
  expect(sorted(hits.map(refOf)), `${name} ${where} ${s.url}`).toEqual(permitted(name, s.p, s.type));
  expect(entry.resource.total, `${name} ${where} total ${s.url}`).toBe(permitted(name, s.p, s.type).length);
  for (const r of hits) expectShape(name, r, `${where} ${s.url}`);
}

interface Manifest {
  output: { type: string; url: string; count: number }[];
  error: unknown[];
}
/** One request as a caller, the host taken off absolute URLs (status and file URLs are absolute). */
async function raw(caller: string, url: string, async = false) {
  const res = await app.inject({
    method: 'GET',
    url: url.replace(/^http:\/\/[^/]+/, ''),
    headers: { 'x-test-caller': caller, ...(async ? { prefer: 'respond-async' } : {}) },
  });
  return { status: res.statusCode, headers: res.headers, body: res.body };
}

/** Kicks off an export, polls its status URL to the manifest and reads every NDJSON file. */
async function exportAs(name: string, path: string): Promise<Resource[]> {
  const kick = await raw(name, `/fhir/${path}`, true);
  expect(kick.status, `${name} ${path}: ${kick.body}`).toBe(202);
  const status = String(kick.headers['content-location']);
  let res = await raw(name, status);
  for (let i = 0; i < 400 && res.status === 202; i++) {
    await new Promise((r) => setTimeout(r, 25));
    res = await raw(name, status);
  }
  expect(res.status, `${name} ${path} status: ${res.body}`).toBe(200);
  const manifest = JSON.parse(res.body) as Manifest;
  expect(manifest.error, `${name} ${path}`).toEqual([]);
  const out: Resource[] = [];
  for (const file of manifest.output) {
    const got = await raw(name, file.url);
    expect(got.status, `${name} ${file.url}`).toBe(200);
    const lines = got.body
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Resource);
    expect(lines, `${name} ${file.type} count`).toHaveLength(file.count);
    expect(lines.every((r) => r.resourceType === file.type)).toBe(true);
    out.push(...lines);
  }
  return out;
}

describe('generated matrix: transaction and batch responses, Bulk Data $export', () => {
  for (const name of Object.keys(CALLERS)) {
    it(`${name}: a batch of reads and searches answers each entry as the direct read or search`, async () => {
      const ok = visible.get(name)!;
      const res = await clientFor(app, name).post('', {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [...BUNDLE_READS, ...BUNDLE_SEARCHES.map((s) => s.url)].map(getEntry),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.type).toBe('batch-response');
      const entries: any[] = res.body.entry;
      expect(entries).toHaveLength(BUNDLE_READS.length + BUNDLE_SEARCHES.length);
      BUNDLE_READS.forEach((ref, i) => {
        const e = entries[i];
        expect(e.response.status, `${name} batch GET ${ref}`).toMatch(ok.has(ref) ? /^200/ : /^404/);
        if (ok.has(ref)) {
          expect(refOf(e.resource)).toBe(ref);
          expectShape(name, e.resource, 'batch GET');
        } else expect(e.resource, `${name} batch GET ${ref}`).toBeUndefined();
      });
      BUNDLE_SEARCHES.forEach((s, i) =>
        expectSearchEntry(name, entries[BUNDLE_READS.length + i], s, 'batch'),
      );
    });

    it(`${name}: a transaction of reads and searches answers as the direct ones; a hidden read fails it (404)`, async () => {
      const ok = visible.get(name)!;
      const c = clientFor(app, name);
      const shown = BUNDLE_READS.filter((ref) => ok.has(ref));
      const res = await c.post('', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [...shown, ...BUNDLE_SEARCHES.map((s) => s.url)].map(getEntry),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.type).toBe('transaction-response');
      const entries: any[] = res.body.entry;
      expect(entries).toHaveLength(shown.length + BUNDLE_SEARCHES.length);
      shown.forEach((ref, i) => {
        expect(entries[i].response.status, `${name} transaction GET ${ref}`).toMatch(/^200/);
        expect(refOf(entries[i].resource)).toBe(ref);
        expectShape(name, entries[i].resource, 'transaction GET');
      });
      BUNDLE_SEARCHES.forEach((s, i) => expectSearchEntry(name, entries[shown.length + i], s, 'transaction'));
      // As the direct read: what the caller may not see is not found, and the transaction with it fails
      // as a whole, its outcome holding nothing of the hidden resource.
      for (const ref of BUNDLE_READS.filter((r) => !ok.has(r))) {
        const failed = await c.post('', {
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [getEntry(shown[0] ?? 'Organization/m-clinic'), getEntry(ref)],
        });
        expect(failed.status, `${name} transaction GET ${ref}`).toBe(404);
        expect(failed.body.resourceType).toBe('OperationOutcome');
        expect(JSON.stringify(failed.body)).not.toMatch(/Shelterville|F32|F10|75622|76501|8867/);
      }
    });

    it(`${name}: Patient/$export files hold exactly the permitted data, redacted as the policy says`, async () => {
      const ok = visible.get(name)!;
      const out = await exportAs(name, 'Patient/$export?_type=Patient,Observation,Condition');
      // Patient level: the compartments of the people the caller may see, each as far as permitted.
      const expected = PATIENTS.filter((p) => ok.has(`Patient/${p}`)).flatMap((p) => permitted(name, p));
      expect(sorted(out.map(refOf)), `${name} $export`).toEqual(sorted(expected));
      for (const r of out) expectShape(name, r, '$export');
    });
  }
});
