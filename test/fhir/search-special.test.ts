import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKith, type TestKith } from '../helpers/kith';
import { fhirClient, outcomeText, type FhirClient } from '../helpers/http';

let t: TestKith;
let api: FhirClient;
const ids = new Map<string, string>();
const labels = new Map<string, string>();
const ref = (label: string) => {
  const [type] = label.split(':');
  return { reference: `${type}/${ids.get(label)}` };
};

async function make(label: string, resource: Record<string, unknown>): Promise<void> {
  const created = await api.create({ resourceType: label.split(':')[0], ...resource });
  ids.set(label, created.id);
  labels.set(`${created.resourceType}/${created.id}`, label);
}

/** Labels of the matches and of the included resources of a search, each sorted. */
async function search(url: string): Promise<{ match: string[]; include: string[]; total: number }> {
  const r = await api.get(url);
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${r.text}`);
  const pick = (mode: string) =>
    (r.body.entry ?? [])
      .filter((e: any) => e.search.mode === mode)
      .map((e: any) => labels.get(`${e.resource.resourceType}/${e.resource.id}`) ?? e.resource.id)
      .sort();
  return { match: pick('match'), include: pick('include'), total: r.body.total };
}
const matches = async (url: string) => (await search(url)).match;

const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const PROFILE = 'http://example.org/StructureDefinition/special-patient';
let midway = '';

beforeAll(async () => {
  t = await startTestKith();
  api = fhirClient(t.app);
  await make('Organization:acme', { name: 'Acme Health' });
  await make('Organization:beta', { name: 'Beta Clinic', partOf: ref('Organization:acme') });
  await make('Practitioner:doc', { name: [{ family: 'Doc' }] });
  await make('Patient:alpha', {
    name: [{ family: 'Alpha' }],
    managingOrganization: ref('Organization:acme'),
    meta: {
      tag: [{ system: 'urn:tags', code: 'vip' }],
      security: [{ system: CONF, code: 'R' }],
      profile: [PROFILE],
    },
  });
  await new Promise((r) => setTimeout(r, 10));
  midway = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 10));
  await make('Patient:beta', {
    name: [{ family: 'Beta' }],
    managingOrganization: ref('Organization:beta'),
    generalPractitioner: [ref('Practitioner:doc')],
    meta: { tag: [{ system: 'urn:tags', code: 'new' }] },
  });
  await make('Encounter:ea', { status: 'finished', class: { code: 'AMB' }, subject: ref('Patient:alpha') });
  const obs = (label: string, code: string, patient: string, extra: Record<string, unknown> = {}) =>
    make(label, {
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code }] },
      subject: ref(patient),
      ...extra,
    });
  await obs('Observation:a1', '1234-5', 'Patient:alpha', {
    encounter: ref('Encounter:ea'),
    performer: [ref('Practitioner:doc')],
  });
  await obs('Observation:a2', '9999-9', 'Patient:alpha');
  await obs('Observation:b1', '1234-5', 'Patient:beta');
  await make('Provenance:prov', {
    target: [ref('Observation:a1')],
    recorded: '2024-01-01T00:00:00Z',
    agent: [{ who: ref('Practitioner:doc') }],
  });
  await make('Organization:gone', { name: 'Gone Org' });
  await make('Patient:orphan', {
    name: [{ family: 'Orphan' }],
    managingOrganization: ref('Organization:gone'),
  });
  await api.delete(`Organization/${ids.get('Organization:gone')}`);
});
afterAll(async () => t?.close());

describe('resource-level parameters', () => {
  it('_id, _lastUpdated, _tag, _security, _profile', async () => {
    expect(await matches(`Patient?_id=${ids.get('Patient:alpha')},${ids.get('Patient:beta')}`)).toEqual([
      'Patient:alpha',
      'Patient:beta',
    ]);
    expect(await matches(`Patient?_lastUpdated=lt${midway}`)).toEqual(['Patient:alpha']);
    expect(await matches(`Patient?_lastUpdated=ge${midway}`)).toEqual(['Patient:beta', 'Patient:orphan']);
    expect(await matches(`Patient?_lastUpdated=${midway.slice(0, 4)}`)).toHaveLength(3);
    expect(await matches('Patient?_tag=urn:tags|vip')).toEqual(['Patient:alpha']);
    expect(await matches('Patient?_tag=new')).toEqual(['Patient:beta']);
    expect(await matches('Patient?_tag:not=urn:tags|vip')).toEqual(['Patient:beta', 'Patient:orphan']);
    expect(await matches(`Patient?_security=${CONF}|R`)).toEqual(['Patient:alpha']);
    expect(await matches(`Patient?_profile=${PROFILE}`)).toEqual(['Patient:alpha']);
  });
});

describe('chains and _has', () => {
  it('chained parameters, typed and untyped, one and two levels deep', async () => {
    expect(await matches('Observation?subject:Patient.family=alpha')).toEqual([
      'Observation:a1',
      'Observation:a2',
    ]);
    expect(await matches('Observation?subject.family=beta')).toEqual(['Observation:b1']);
    expect(await matches('Observation?patient.name=alp')).toEqual(['Observation:a1', 'Observation:a2']);
    expect(await matches('Observation?subject:Patient.organization.name=acme')).toEqual([
      'Observation:a1',
      'Observation:a2',
    ]);
    expect(await matches('Observation?subject:Patient.organization.partof.name=acme')).toEqual([
      'Observation:b1',
    ]);
    expect(await matches(`Observation?subject:Patient._id=${ids.get('Patient:beta')}`)).toEqual([
      'Observation:b1',
    ]);
    expect(await matches('Observation?subject:Patient.family=alpha&code=9999-9')).toEqual(['Observation:a2']);
    const bad = await api.get('Observation?subject.nonsense=1');
    expect(bad.status).toBe(400);
    expect(outcomeText(bad.body)).toContain('nonsense');
  });

  it('_has, including nested _has', async () => {
    expect(await matches('Patient?_has:Observation:subject:code=1234-5')).toEqual([
      'Patient:alpha',
      'Patient:beta',
    ]);
    expect(await matches('Patient?_has:Observation:patient:code=9999-9')).toEqual(['Patient:alpha']);
    expect(await matches('Practitioner?_has:Patient:general-practitioner:family=beta')).toEqual([
      'Practitioner:doc',
    ]);
    expect(
      await matches(
        `Patient?_has:Observation:subject:_has:Provenance:target:agent=Practitioner/${ids.get('Practitioner:doc')}`,
      ),
    ).toEqual(['Patient:alpha']);
    expect(await matches('Patient?_has:Observation:subject:code=0000-0')).toEqual([]);
    const bad = await api.get('Patient?_has:Observation:code:code=1');
    expect(bad.status).toBe(400);
    expect(outcomeText(bad.body)).toContain('_has:Observation:code:code');
  });
});

describe('_include and _revinclude', () => {
  it('_include follows a reference, optionally to one target type, and leaves the total to the matches', async () => {
    const r = await search('Observation?code=1234-5&_include=Observation:subject');
    expect(r.match).toEqual(['Observation:a1', 'Observation:b1']);
    expect(r.include).toEqual(['Patient:alpha', 'Patient:beta']);
    expect(r.total).toBe(2);
    expect((await search('Observation?code=1234-5&_include=Observation:subject:Group')).include).toEqual([]);
    const all = await search(`Observation?_id=${ids.get('Observation:a1')}&_include=Observation:*`);
    expect(all.include).toEqual(['Encounter:ea', 'Patient:alpha', 'Practitioner:doc']);
    const star = await search(`Observation?_id=${ids.get('Observation:a1')}&_include=*`);
    expect(star.include).toEqual(['Encounter:ea', 'Patient:alpha', 'Practitioner:doc']);
  });

  it('_include:iterate walks on from included resources; deleted targets are left out', async () => {
    const once = await search(
      'Observation?code=1234-5&_include=Observation:subject&_include=Patient:organization',
    );
    expect(once.include).toEqual(['Patient:alpha', 'Patient:beta']);
    const iter = await search(
      'Observation?code=1234-5&_include=Observation:subject&_include:iterate=Patient:organization&_include:iterate=Organization:partof',
    );
    expect(iter.include).toEqual(['Organization:acme', 'Organization:beta', 'Patient:alpha', 'Patient:beta']);
    const orphan = await search(`Patient?_id=${ids.get('Patient:orphan')}&_include=Patient:organization`);
    expect(orphan.include).toEqual([]);
  });

  it('_revinclude, with :iterate and *', async () => {
    const alpha = ids.get('Patient:alpha');
    const rev = await search(`Patient?_id=${alpha}&_revinclude=Observation:subject`);
    expect(rev.match).toEqual(['Patient:alpha']);
    expect(rev.include).toEqual(['Observation:a1', 'Observation:a2']);
    const iter = await search(
      `Patient?_id=${alpha}&_revinclude=Observation:subject&_revinclude:iterate=Provenance:target`,
    );
    expect(iter.include).toEqual(['Observation:a1', 'Observation:a2', 'Provenance:prov']);
    const star = await search(`Patient?_id=${alpha}&_revinclude=*`);
    // Other capabilities may add resources that point at a Patient (a Person golden record): only
    // this file's resources are checked by name.
    expect(star.include.filter((l) => l.includes(':'))).toEqual([
      'Encounter:ea',
      'Observation:a1',
      'Observation:a2',
    ]);
    const both = await search(
      `Organization?name=acme&_revinclude=Patient:organization&_include=Organization:partof`,
    );
    expect(both.include).toEqual(['Patient:alpha']);
  });

  it('refuses an include of an unknown parameter with a 400 naming it', async () => {
    const r = await api.get('Observation?_include=Observation:nothing');
    expect(r.status).toBe(400);
    expect(outcomeText(r.body)).toContain("'nothing'");
    expect(r.body.issue[0].expression).toEqual(['_include']);
  });
});

describe('search across types', () => {
  it('GET [base]?… and POST [base]/_search match every type, or those named in _type', async () => {
    expect(await matches('?_tag=urn:tags|vip')).toEqual(['Patient:alpha']);
    expect(await matches(`?_id=${ids.get('Patient:beta')},${ids.get('Observation:b1')}`)).toEqual([
      'Observation:b1',
      'Patient:beta',
    ]);
    const since = await matches(`?_lastUpdated=ge${midway}&_type=Observation,Encounter&_count=100`);
    expect(since).toEqual(['Encounter:ea', 'Observation:a1', 'Observation:a2', 'Observation:b1']);
    // Deleted resources are not found; every stored type is searched when _type is absent.
    const everything = await search('?_count=100');
    expect(everything.match).toContain('Provenance:prov');
    expect(everything.match).not.toContain('Organization:gone');
    // The rest are the Persons identity resolution made for the Patients.
    const persons = (await api.get('Person?_summary=count')).body.total;
    expect(persons).toBeGreaterThan(0);
    expect(everything.total).toBe(ids.size - 1 + persons);

    const posted = await t.inject({
      method: 'POST',
      url: '/fhir/_search',
      headers: { ...t.authHeaders, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_type=Patient&_security=${encodeURIComponent(`${CONF}|R`)}`,
    });
    expect(posted.statusCode).toBe(200);
    expect(posted.json().entry.map((e: any) => e.resource.id)).toEqual([ids.get('Patient:alpha')]);
  });

  it('pages in _lastUpdated order across types with stable links', async () => {
    const first = await api.get('?_type=Patient,Observation&_sort=_lastUpdated&_count=2');
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(6);
    const order = first.body.entry.map((e: any) => labels.get(`${e.resource.resourceType}/${e.resource.id}`));
    expect(order).toEqual(['Patient:alpha', 'Patient:beta']);
    const next = first.body.link.find((l: any) => l.relation === 'next').url as string;
    expect(next).toMatch(/\/fhir\?.*_offset=2/);
    const second = await api.get(next.slice(next.indexOf('/fhir') + '/fhir'.length));
    expect(
      second.body.entry.map((e: any) => labels.get(`${e.resource.resourceType}/${e.resource.id}`)),
    ).toEqual(['Observation:a1', 'Observation:a2']);
  });

  it('refuses parameters not every searched type has, other sorts, includes and unknown types', async () => {
    const bad = async (url: string, text: string) => {
      const r = await api.get(url);
      expect(r.status, url).toBe(400);
      expect(outcomeText(r.body)).toContain(text);
    };
    await bad('?_type=Patient,Observation&name=Alpha', 'is not defined for Observation');
    await bad('?_type=Patient&_sort=name', 'sorts by _lastUpdated or _id');
    await bad('?_type=Patient&_include=Patient:organization', 'no _include');
    await bad('?_type=Nonsense', "'Nonsense' is not a supported resource type");
  });
});
