import { beforeAll, describe, expect, it } from 'vitest';
import { distance } from 'fastest-levenshtein';
import { AS_OF, generateDemoCounty, type DemoCounty, type Resource } from './index';

let county: DemoCounty;
let byRef: Map<string, Resource>;

beforeAll(() => {
  county = generateDemoCounty();
  byRef = new Map(county.bundles.flatMap((b) => b.entry.map((e) => [e.request.url, e.resource] as const)));
}, 300_000);

const norm = (s = '') =>
  s
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();

interface Rec {
  raw: Resource;
  family: string;
  familyRaw: string;
  given: string;
  givenRaw: string;
  allNames: string[];
  birthDate?: string;
  ssn?: string;
  phones: string[];
  line?: string;
}

function rec(ref: string): Rec {
  const p = byRef.get(ref)!;
  const names = (p.name ?? []) as { family?: string; given?: string[] }[];
  const familyRaw = names[0]?.family ?? '';
  const givenRaw = names[0]?.given?.[0] ?? '';
  const ids = (p.identifier ?? []) as { system: string; value: string }[];
  const telecom = (p.telecom ?? []) as { system: string; value: string }[];
  const address = (p.address ?? []) as { line?: string[] }[];
  return {
    raw: p,
    family: norm(familyRaw),
    familyRaw,
    given: norm(givenRaw),
    givenRaw,
    // Compound surnames count by their parts too ("García López" ~ "García").
    allNames: names.flatMap((n) =>
      [...(n.family ?? '').split(/[\s-]+/), n.family ?? '', ...(n.given ?? [])].map(norm),
    ),
    birthDate: p.birthDate as string | undefined,
    ssn: ids.find((i) => i.system === 'http://hl7.org/fhir/sid/us-ssn')?.value.replace(/-/g, ''),
    phones: telecom.filter((t) => t.system === 'phone').map((t) => t.value),
    line: address[0]?.line?.[0]
      ? norm(address[0].line[0]).replace(/avenue$|street$|drive$|road$|lane$|court$|boulevard$/, '')
      : undefined,
  };
}

const close = (a: string, b: string) => a.length > 0 && b.length > 0 && distance(a, b) <= 2;
const sameDate = (a?: string, b?: string) =>
  !!a &&
  !!b &&
  (a === b ||
    a.startsWith(b) ||
    b.startsWith(a) ||
    (a.length === 10 && b.length === 10 && distance(a, b) <= 2));

/** Fields on which two records of one person agree (what a matcher could use). */
function agreement(a: Rec, b: Rec): string[] {
  const out: string[] = [];
  if (close(a.family, b.family) || a.allNames.includes(b.family) || b.allNames.includes(a.family))
    out.push('family');
  if (close(a.given, b.given) || a.allNames.includes(b.given) || b.allNames.includes(a.given))
    out.push('given');
  if (sameDate(a.birthDate, b.birthDate)) out.push('birthDate');
  if (a.ssn && a.ssn === b.ssn) out.push('ssn');
  if (a.phones.some((p) => b.phones.includes(p))) out.push('phone');
  if (a.line && a.line === b.line) out.push('address');
  return out;
}

function pairsOfSamePerson(): [Rec, Rec][] {
  const pairs: [Rec, Rec][] = [];
  for (const person of county.identity.persons) {
    const recs = Object.values(person.patients).map((r) => rec(r!));
    for (let i = 0; i < recs.length; i++)
      for (let j = i + 1; j < recs.length; j++) pairs.push([recs[i], recs[j]]);
  }
  return pairs;
}

describe('identity truth of the demo county', () => {
  it('assigns every source Patient to exactly one person, with 1 to 4 records from distinct sources', () => {
    const seen = new Map<string, string>();
    for (const person of county.identity.persons) {
      const refs = Object.values(person.patients);
      expect(refs.length).toBeGreaterThanOrEqual(1);
      expect(refs.length).toBeLessThanOrEqual(4);
      for (const r of refs) {
        expect(seen.has(r!), r).toBe(false);
        seen.set(r!, person.key);
        expect(byRef.has(r!)).toBe(true);
      }
    }
    const patients = [...byRef.keys()].filter((k) => k.startsWith('Patient/'));
    expect(seen.size).toBe(patients.length);
  });

  it('keeps one person’s records linkable: every pair agrees on at least two identifying fields', () => {
    const weak = pairsOfSamePerson().filter(([a, b]) => agreement(a, b).length < 2);
    expect(weak.map(([a, b]) => `${a.raw.id} ~ ${b.raw.id}`)).toEqual([]);
  });

  it('makes one person’s records differ the way real sources do', () => {
    const pairs = pairsOfSamePerson();
    const count = (f: (a: Rec, b: Rec) => boolean) => pairs.filter(([a, b]) => f(a, b) || f(b, a)).length;
    const variations = {
      nickname: count((a, b) => a.given !== b.given && !close(a.given, b.given) && a.family === b.family),
      typo: count((a, b) => a.family !== b.family && distance(a.family, b.family) <= 2),
      accents: count(
        (a, b) =>
          a.familyRaw !== b.familyRaw && norm(a.familyRaw) === norm(b.familyRaw) && /[À-ÿ]/.test(a.familyRaw),
      ),
      upperCase: count(
        (a, b) => a.familyRaw === a.familyRaw.toUpperCase() && b.familyRaw !== b.familyRaw.toUpperCase(),
      ),
      compoundSurname: count(
        (a, b) => a.familyRaw.includes(' ') && !b.familyRaw.includes(' ') && a.family.startsWith(b.family),
      ),
      missingSsn: count((a, b) => !!a.ssn && !b.ssn),
      moved: count((a, b) => !!a.line && !!b.line && a.line !== b.line),
      partialBirthDate: count((a, b) => a.birthDate?.length === 10 && (b.birthDate?.length ?? 10) < 10),
      wrongBirthDate: count(
        (a, b) => a.birthDate?.length === 10 && b.birthDate?.length === 10 && a.birthDate !== b.birthDate,
      ),
      maidenName: count(
        (a, b) =>
          a.family !== b.family &&
          ((a.raw.name ?? []) as { use?: string; family?: string }[]).some(
            (n) => n.use === 'maiden' && norm(n.family) === b.family,
          ),
      ),
    };
    for (const [kind, n] of Object.entries(variations)) expect(n, kind).toBeGreaterThan(0);
  });

  it('contains hard non-matches: twins, fathers and sons, and namesakes who look alike but are different people', () => {
    const kinds = new Set(county.identity.hardNonMatches.map((m) => m.kind));
    expect([...kinds].sort()).toEqual(['father-son', 'namesakes', 'twins']);
    for (const m of county.identity.hardNonMatches) {
      const a = m.a.map(rec);
      const b = m.b.map(rec);
      const lookAlike = a.some((x) =>
        b.some((y) =>
          m.kind === 'twins'
            ? x.family === y.family && x.birthDate === y.birthDate
            : x.family === y.family && (x.given === y.given || close(x.given, y.given)),
        ),
      );
      expect(lookAlike, `${m.kind}: ${m.a} / ${m.b}`).toBe(true);
      const ssnsA = new Set(a.map((x) => x.ssn).filter(Boolean));
      for (const y of b) if (y.ssn) expect(ssnsA.has(y.ssn)).toBe(false);
      const persons = new Set(
        county.identity.persons
          .filter((p) => Object.values(p.patients).some((r) => m.a.includes(r!) || m.b.includes(r!)))
          .map((p) => p.key),
      );
      expect(persons.size).toBe(2);
    }
  });

  it('never dates anything about a person before their birth or after the as-of date', () => {
    const bornOf = new Map<string, string>();
    for (const person of county.identity.persons) {
      for (const r of Object.values(person.patients)) bornOf.set(r!, person.birthDate);
    }
    const subjectOf = (r: Resource) =>
      ((r.subject ?? r.patient ?? r.beneficiary ?? r.for) as { reference?: string } | undefined)?.reference;
    const when = (r: Resource): string | undefined =>
      ((r.period as { start?: string } | undefined)?.start ??
        r.effectiveDateTime ??
        r.onsetDateTime ??
        r.authoredOn ??
        r.authored ??
        r.dateTime ??
        r.performedDateTime) as string | undefined;
    const problems: string[] = [];
    let checked = 0;
    for (const r of byRef.values()) {
      const subject = subjectOf(r);
      const at = when(r);
      if (!subject || !at || !bornOf.has(subject)) continue;
      checked++;
      const day = at.slice(0, 10);
      if (day < bornOf.get(subject)!)
        problems.push(`${r.resourceType}/${r.id} ${day} < born ${bornOf.get(subject)}`);
      if (day > AS_OF) problems.push(`${r.resourceType}/${r.id} ${day} > ${AS_OF}`);
    }
    expect(checked).toBeGreaterThan(3000);
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('uses record ids that reveal nothing about which records belong together', () => {
    // Ordered by id, one person's records are scattered, not side by side.
    const sorted = [...byRef.keys()]
      .filter((k) => k.startsWith('Patient/'))
      .sort((x, y) => (x.split('-').pop()! < y.split('-').pop()! ? -1 : 1));
    const position = new Map(sorted.map((k, i) => [k, i]));
    const multi = county.identity.persons.filter((p) => Object.keys(p.patients).length >= 2);
    const adjacent = multi.filter((p) => {
      const at = Object.values(p.patients)
        .map((r) => position.get(r!)!)
        .sort((x, y) => x - y);
      return at.some((v, i) => i > 0 && v - at[i - 1] === 1);
    });
    expect(adjacent.length).toBeLessThan(multi.length * 0.05);
  });
});
