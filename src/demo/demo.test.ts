import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoCounty, EXT, SOURCES, DEMO_TAG, type DemoCounty, type Resource } from './index';
import { validationProblems } from './testing/fhir-validation';

let county: DemoCounty;
let all: Resource[];
const byType = (type: string) => all.filter((r) => r.resourceType === type);
const codes = (cc: unknown): string[] =>
  ((cc as { coding?: { code?: string }[] } | undefined)?.coding ?? []).map((c) => c.code ?? '');
const labels = (r: Resource) => (r.meta?.security ?? []).map((c) => c.code);
const extValue = (r: Resource, url: string) =>
  (
    r.extension as { url: string; valueBoolean?: boolean; valueCoding?: { code: string } }[] | undefined
  )?.find((e) => e.url === url);

beforeAll(() => {
  county = generateDemoCounty();
  all = county.bundles.flatMap((b) => b.entry.map((e) => e.resource));
}, 300_000);

/** Every `reference` string anywhere inside a resource. */
function references(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => references(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else references(v, out);
    }
  }
  return out;
}

describe('the demo county', () => {
  it('is valid FHIR R4: structure, cardinality, invariants and required bindings of every resource', () => {
    const problems: string[] = [];
    for (const r of all)
      for (const p of validationProblems(r)) problems.push(`${r.resourceType}/${r.id}: ${p}`);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(problems.length).toBe(0);
  }, 600_000);

  it('is deterministic: the same seed gives byte-identical bundles, another seed other people', () => {
    const again = generateDemoCounty();
    expect(JSON.stringify(again)).toBe(JSON.stringify(county));
    const other = generateDemoCounty({ seed: 7 });
    const firstPatients = (c: DemoCounty) => JSON.stringify(c.bundles[1].entry.slice(0, 5));
    expect(firstPatients(other)).not.toBe(firstPatients(county));
    // The directory and the demo users do not depend on the seed.
    expect(JSON.stringify(other.bundles[0])).toBe(JSON.stringify(county.bundles[0]));
    expect(other.users).toEqual(county.users);
  }, 300_000);

  it('is a list of transaction bundles of PUTs with stable client ids and unique urn:uuid fullUrls', () => {
    const fullUrls = new Set<string>();
    const keys = new Set<string>();
    for (const bundle of county.bundles) {
      expect(bundle.resourceType).toBe('Bundle');
      expect(bundle.type).toBe('transaction');
      for (const e of bundle.entry) {
        expect(e.request).toEqual({ method: 'PUT', url: `${e.resource.resourceType}/${e.resource.id}` });
        expect(e.resource.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
        expect(e.fullUrl).toMatch(
          /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
        expect(e.resource.meta?.tag).toContainEqual(DEMO_TAG);
        fullUrls.add(e.fullUrl);
        keys.add(e.request.url);
      }
    }
    expect(fullUrls.size).toBe(all.length);
    expect(keys.size).toBe(all.length);
    expect(county.bundles[0].entry.map((e) => e.request.url)).toContain('Organization/alder-hhsa');
  });

  it('has referential integrity: every reference resolves to a resource in the same or an earlier bundle', () => {
    const known = new Set<string>();
    const dangling: string[] = [];
    for (const bundle of county.bundles) {
      for (const e of bundle.entry) known.add(e.request.url);
      for (const e of bundle.entry) {
        for (const ref of references(e.resource))
          if (!known.has(ref)) dangling.push(`${e.request.url} → ${ref}`);
      }
    }
    expect(dangling.slice(0, 10)).toEqual([]);
    const questionnaire = byType('Questionnaire')[0];
    for (const qr of byType('QuestionnaireResponse')) {
      expect(qr.questionnaire).toBe(`${questionnaire.url}|${questionnaire.version}`);
    }
  });

  it('has the counts the summary reports, in the size asked for', () => {
    const s = county.summary;
    expect(s.people).toBe(300);
    expect(s.resources).toBe(all.length);
    expect(s.bundles).toBe(county.bundles.length);
    for (const [type, n] of Object.entries(s.byType)) expect(byType(type).length).toBe(n);
    expect(s.sourceRecords).toBe(byType('Patient').length);
    expect(Object.keys(s.recordsPerPerson).sort()).toEqual(['1', '2', '3', '4']);
    expect(Object.keys(s.recordsBySource).sort()).toEqual(Object.keys(SOURCES).sort());
    expect(s.sourceRecords).toBeGreaterThan(s.people * 1.5);
    expect(s.hardNonMatches.twins).toBeGreaterThanOrEqual(2);
    expect(s.hardNonMatches['father-son']).toBeGreaterThanOrEqual(2);
    expect(s.hardNonMatches.namesakes).toBeGreaterThanOrEqual(2);
    expect(byType('Organization')).toHaveLength(12);
    expect(s.users).toBe(county.users.length);
    const small = generateDemoCounty({ people: 40, peoplePerBundle: 10 });
    expect(small.summary.people).toBe(40);
    expect(small.bundles).toHaveLength(5);
  });

  it('marks each organization with its kind, HIPAA covered-entity flag and Part 2 flag', () => {
    const orgs = new Map(byType('Organization').map((o) => [o.id, o]));
    const kind = (id: string) => extValue(orgs.get(id)!, EXT.organizationKind)?.valueCoding?.code;
    const covered = (id: string) => extValue(orgs.get(id)!, EXT.hipaaCoveredEntity)?.valueBoolean;
    expect(kind('alder-dss')).toBe('county-agency');
    expect(kind('alder-food-bank')).toBe('cbo');
    expect(kind('ca-dhcs')).toBe('state');
    expect(kind('alder-health-plan')).toBe('health-plan');
    expect(kind('alder-hospital')).toBe('provider');
    expect(covered('alder-clinic')).toBe(true);
    expect(covered('alder-shelter')).toBe(false);
    const part2 = [...orgs.values()]
      .filter((o) => extValue(o, EXT.part2Program)?.valueBoolean)
      .map((o) => o.id);
    expect(part2).toEqual(['alder-bh']);
    for (const loc of byType('Location').filter((l) => l.mode === 'instance')) {
      const { latitude, longitude } = loc.position as { latitude: number; longitude: number };
      expect(latitude).toBeGreaterThan(38.9);
      expect(latitude).toBeLessThan(39.5);
      expect(longitude).toBeGreaterThan(-121.9);
      expect(longitude).toBeLessThan(-121.2);
    }
  });

  it('gives every Patient its source: meta.source, the source identifier system and managing organization', () => {
    for (const p of byType('Patient')) {
      const source = Object.values(SOURCES).find((s) => s.metaSource === p.meta?.source);
      expect(source, `Patient/${p.id}`).toBeDefined();
      const ids = p.identifier as { system: string; value: string }[];
      expect(ids[0].system).toBe(source!.identifierSystem);
      expect((p.managingOrganization as { reference: string }).reference).toMatch(/^Organization\//);
    }
    const systems = new Set(Object.values(SOURCES).map((s) => s.identifierSystem));
    expect(systems.size).toBe(Object.keys(SOURCES).length);
  });

  it('contains referrals in every Gravity status, closed with an outcome or a reason', () => {
    const tasks = byType('Task');
    const statuses = new Set(tasks.map((t) => t.status));
    for (const s of ['requested', 'accepted', 'in-progress', 'completed', 'rejected'])
      expect(statuses).toContain(s);
    const procedures = new Set(byType('Procedure').map((p) => `Procedure/${p.id}`));
    for (const t of tasks) {
      expect(t.intent).toBe('order');
      expect((t.focus as { reference: string }).reference).toMatch(/^ServiceRequest\//);
      expect((t.for as { reference: string }).reference).toMatch(/^Patient\//);
      expect((t.owner as { reference: string }).reference).toMatch(/^Organization\//);
      expect(t.businessStatus).toBeDefined();
      if (t.status === 'completed') {
        const out = (t.output as { valueReference: { reference: string } }[])[0].valueReference.reference;
        expect(procedures.has(out)).toBe(true);
      }
      if (t.status === 'rejected') expect((t.statusReason as { text: string }).text).toBeTruthy();
      expect(Date.parse(String(t.lastModified))).toBeGreaterThanOrEqual(Date.parse(String(t.authoredOn)));
    }
  });

  it('contains sensitive data, labelled, from the sources that hold it', () => {
    const conditions = byType('Condition');
    const icd = (c: Resource) => codes(c.code);
    const part2 = conditions.filter((c) => c.meta?.source === SOURCES.bh.metaSource);
    expect(part2.length).toBeGreaterThan(0);
    expect(part2.some((c) => icd(c).some((code) => /^F1\d/.test(code)))).toBe(true);
    for (const c of part2) expect(labels(c)).toEqual(expect.arrayContaining(['R', 'ETH', '42CFRPart2']));
    const withCode = (re: RegExp) => conditions.filter((c) => icd(c).some((code) => re.test(code)));
    expect(withCode(/^F3[23]/).length).toBeGreaterThan(0);
    for (const c of withCode(/^B20$/)) expect(labels(c)).toContain('HIV');
    expect(withCode(/^B20$/).length).toBeGreaterThanOrEqual(2);
    for (const c of withCode(/^(T74|Z91\.41)/)) expect(labels(c)).toContain('SDV');
    expect(withCode(/^(T74|Z91\.41)/).length).toBeGreaterThanOrEqual(3);
    // Nothing from the Part 2 program goes unlabelled.
    for (const r of all.filter((x) => x.meta?.source === SOURCES.bh.metaSource))
      expect(labels(r)).toContain('42CFRPart2');
  });

  it('contains consents that permit sharing with community partners and Part 2 consents naming a recipient', () => {
    const consents = byType('Consent');
    type Provision = {
      type: string;
      actor?: { reference: { reference: string } }[];
      securityLabel?: { code: string }[];
    };
    const provision = (c: Resource) => c.provision as Provision;
    const toCbo = consents.filter(
      (c) =>
        provision(c).type === 'permit' &&
        provision(c).actor?.some((a) => a.reference.reference === 'Organization/alder-food-bank'),
    );
    expect(toCbo.length).toBeGreaterThan(0);
    const part2 = consents.filter((c) =>
      (c.policy as { uri: string }[]).some((p) => p.uri.includes('part-2')),
    );
    expect(part2.length).toBeGreaterThan(0);
    for (const c of part2) {
      expect(provision(c).actor?.length).toBeGreaterThan(0);
      expect(provision(c).securityLabel?.map((l) => l.code)).toContain('42CFRPart2');
    }
    expect(consents.some((c) => provision(c).type === 'deny')).toBe(true);
    expect(consents.some((c) => c.status === 'inactive')).toBe(true);
  });

  it('contains enrollments, coverage, visits, screenings, goals, care plans and care teams', () => {
    const programs = new Set(byType('EpisodeOfCare').flatMap((e) => (e.type as unknown[]).flatMap(codes)));
    for (const p of ['medi-cal', 'calfresh', 'calworks', 'wic', 'ecm', 'dmc-ods'])
      expect(programs).toContain(p);
    expect(programs.has('emergency-shelter') || programs.has('rapid-rehousing')).toBe(true);
    const classes = new Set(byType('Encounter').map((e) => (e.class as { code: string }).code));
    expect([...classes].sort()).toEqual(['AMB', 'EMER', 'FLD']);
    const qr = byType('QuestionnaireResponse')[0];
    const derived = byType('Observation').filter((o) =>
      (o.derivedFrom as { reference: string }[] | undefined)?.some(
        (d) => d.reference === `QuestionnaireResponse/${qr.id}`,
      ),
    );
    expect(derived.length).toBeGreaterThan(3);
    for (const type of ['Coverage', 'Goal', 'CarePlan', 'CareTeam'])
      expect(byType(type).length).toBeGreaterThan(0);
  });
});
