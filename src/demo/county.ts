/**
 * Generates the demo county: the directory bundle, then the people in bundles of `peoplePerBundle`,
 * with the summary and the identity truth (which source records are the same person).
 */
import { Random } from './random';
import { IdFactory } from './ids';
import type { Bundle, Resource } from './fhir';
import type { SourceKey } from './kith';
import { transactionBundle } from './bundle';
import { kithCodeSystems } from './terminology';
import { screeningQuestionnaire } from './questionnaire';
import { organizationResources } from './organizations';
import { directoryResources } from './directory';
import { demoUsers, staffResources, type DemoUser } from './staff';
import { generatePopulation, type HardNonMatchKind, type Person } from './population';
import { personResources } from './person-records';
import { summarize, type DemoSummary } from './summary';

export const DEFAULT_SEED = 20250630;
export const DEFAULT_PEOPLE = 300;

export interface DemoOptions {
  seed?: number;
  people?: number;
  /** People per transaction Bundle (default 50). */
  peoplePerBundle?: number;
}

/** Which source records belong to one real person, and which look alike but are different people. */
export interface IdentityTruth {
  /** Each real person: their true birth date and their Patient references by source. */
  persons: { key: string; birthDate: string; patients: Partial<Record<SourceKey, string>> }[];
  hardNonMatches: { kind: HardNonMatchKind; a: string[]; b: string[] }[];
}

export interface DemoCounty {
  /** In load order: the directory (code systems, organizations, staff, services) first, then people. */
  bundles: Bundle[];
  users: DemoUser[];
  summary: DemoSummary;
  identity: IdentityTruth;
}

function directoryBundle(): Bundle {
  const resources: Resource[] = [
    ...kithCodeSystems(),
    screeningQuestionnaire(),
    ...organizationResources(),
    ...directoryResources(),
    ...staffResources(),
  ];
  return transactionBundle('kith-demo-directory', resources);
}

export function generateDemoCounty(options: DemoOptions = {}): DemoCounty {
  const seed = (options.seed ?? DEFAULT_SEED) >>> 0;
  const people = Math.max(1, Math.floor(options.people ?? DEFAULT_PEOPLE));
  const perBundle = Math.max(1, Math.floor(options.peoplePerBundle ?? 50));
  const root = new Random(seed);
  const ids = new IdFactory(seed);
  const population = generatePopulation(root.fork('population'), people);
  const shared = {
    cases: new Map<number, string>(),
    byKey: new Map(population.persons.map((p) => [p.key, p])),
  };

  const bundles: Bundle[] = [directoryBundle()];
  const patientsOf = new Map<string, Partial<Record<SourceKey, string>>>();
  let batch: Resource[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    bundles.push(transactionBundle(`kith-demo-people-${String(bundles.length).padStart(2, '0')}`, batch));
    batch = [];
  };
  population.persons.forEach((person: Person, i) => {
    const out = personResources(root.fork('records'), ids, person, shared);
    patientsOf.set(person.key, out.patients);
    batch.push(...out.resources);
    if ((i + 1) % perBundle === 0) flush();
  });
  flush();

  const refs = (key: string) => Object.values(patientsOf.get(key) ?? {});
  const identity: IdentityTruth = {
    persons: population.persons.map((p) => ({
      key: p.key,
      birthDate: p.birthDate,
      patients: patientsOf.get(p.key) ?? {},
    })),
    hardNonMatches: population.hardNonMatches.map((m) => ({ kind: m.kind, a: refs(m.a), b: refs(m.b) })),
  };
  return {
    bundles,
    users: demoUsers,
    summary: summarize(seed, population, bundles, demoUsers.length),
    identity,
  };
}
