/** Counts that describe a generated demo county (printed by `kith demo`, asserted by the tests). */
import type { Bundle, Coding, Resource } from './fhir';
import type { SourceKey } from './kith';
import type { HardNonMatchKind, Population } from './population';

export interface DemoSummary {
  seed: number;
  people: number;
  households: number;
  /** Patient resources: one per person per source system. */
  sourceRecords: number;
  bundles: number;
  resources: number;
  byType: Record<string, number>;
  /** How many people have 1, 2, 3 or 4 source records. */
  recordsPerPerson: Record<string, number>;
  recordsBySource: Partial<Record<SourceKey, number>>;
  hardNonMatches: Record<HardNonMatchKind, number>;
  /** Referral Tasks by status. */
  referralsByStatus: Record<string, number>;
  /** Resources carrying each security label code (R, ETH, PSY, HIV, SDV, 42CFRPart2). */
  labelled: Record<string, number>;
  consents: { active: number; inactive: number; part2: number };
  users: number;
}

const count = (map: Record<string, number>, key: string) => {
  map[key] = (map[key] ?? 0) + 1;
};

export function summarize(
  seed: number,
  population: Population,
  bundles: Bundle[],
  users: number,
): DemoSummary {
  const resources: Resource[] = bundles.flatMap((b) => b.entry.map((e) => e.resource));
  const byType: Record<string, number> = {};
  const referralsByStatus: Record<string, number> = {};
  const labelled: Record<string, number> = {};
  const consents = { active: 0, inactive: 0, part2: 0 };
  for (const r of resources) {
    count(byType, r.resourceType);
    for (const label of (r.meta?.security ?? []) as Coding[]) if (label.code) count(labelled, label.code);
    if (r.resourceType === 'Task') count(referralsByStatus, String(r.status));
    if (r.resourceType === 'Consent') {
      if (r.status === 'active') consents.active++;
      else consents.inactive++;
      if ((r.policy as { uri?: string }[] | undefined)?.some((p) => p.uri?.includes('part-2')))
        consents.part2++;
    }
  }
  const recordsPerPerson: Record<string, number> = {};
  const recordsBySource: Partial<Record<SourceKey, number>> = {};
  for (const p of population.persons) {
    count(recordsPerPerson, String(p.sources.length));
    for (const s of p.sources) recordsBySource[s] = (recordsBySource[s] ?? 0) + 1;
  }
  const hardNonMatches: Record<HardNonMatchKind, number> = { twins: 0, 'father-son': 0, namesakes: 0 };
  for (const m of population.hardNonMatches) hardNonMatches[m.kind]++;
  return {
    seed,
    people: population.persons.length,
    households: new Set(population.persons.map((p) => p.household)).size,
    sourceRecords: byType.Patient ?? 0,
    bundles: bundles.length,
    resources: resources.length,
    byType: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b))),
    recordsPerPerson,
    recordsBySource,
    hardNonMatches,
    referralsByStatus,
    labelled,
    consents,
    users,
  };
}
