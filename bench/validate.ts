// CPU cost of validating one resource, Kith's validator (src/fhir/validator) against Medplum's
// validateResource which it replaced, over the Synthea fixtures' entries grouped by type. Each round
// times both over the same resources, alternating which goes first; figures are the median over
// rounds of process.cpuUsage (user+system) per call, in µs. Also the whole `validationIssues`
// pipeline (json-shape, structure, required bindings) with either structure validator.
// Env: KITH_FIXTURES (default ../shared/fixtures), BENCH_ROUNDS (default 5), BENCH_MIN_CALLS
// (calls per type per round, default 400: small types are repeated to reach it).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { loadDefinitions } from '../src/fhir/definitions';
import { validationIssues } from '../src/fhir/validate';
import { validateStructure } from '../src/fhir/validator';
import { medplumStructureIssues } from '../src/fhir/validator/reference';

loadDefinitions();
const dir = path.join(path.resolve(process.env.KITH_FIXTURES ?? '../shared/fixtures'), 'synthea-r4');
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const minCalls = Number(process.env.BENCH_MIN_CALLS ?? 400);

const byType = new Map<string, Resource[]>();
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const bundle = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
    entry: { resource: Resource }[];
  };
  for (const { resource } of bundle.entry) {
    const list = byType.get(resource.resourceType) ?? [];
    list.push(resource);
    byType.set(resource.resourceType, list);
  }
}
const all = [...byType.values()].flat();

function cpuPerCall(resources: Resource[], run: (r: Resource) => unknown): number {
  const repeat = Math.max(1, Math.ceil(minCalls / resources.length));
  const start = process.cpuUsage();
  for (let i = 0; i < repeat; i++) for (const r of resources) run(r);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (repeat * resources.length);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const round1 = (x: number) => Math.round(x * 10) / 10;

const engines = {
  old: (r: Resource) => medplumStructureIssues(r),
  new: (r: Resource) => validateStructure(r),
  pipeline_old: (r: Resource) => validationIssues(r, medplumStructureIssues),
  pipeline_new: (r: Resource) => validationIssues(r),
};
type Engine = keyof typeof engines;
const groups: [string, Resource[]][] = [
  ['all', all],
  ...[...byType.entries()].sort((a, b) => b[1].length - a[1].length),
];
const samples = new Map<string, Record<Engine, number[]>>(
  groups.map(([g]) => [g, { old: [], new: [], pipeline_old: [], pipeline_new: [] }]),
);
// Warm up both (schema caches, FHIRPath parses, JIT) before measuring.
for (const r of all) for (const run of Object.values(engines)) run(r);
for (let round = 0; round < rounds; round++) {
  const order: Engine[] =
    round % 2
      ? ['new', 'old', 'pipeline_new', 'pipeline_old']
      : ['old', 'new', 'pipeline_old', 'pipeline_new'];
  for (const [g, resources] of groups) {
    for (const e of order) samples.get(g)![e].push(cpuPerCall(resources, engines[e]));
  }
}
const types: Record<string, unknown> = {};
for (const [g, resources] of groups) {
  const s = samples.get(g)!;
  const [o, n] = [median(s.old), median(s.new)];
  types[g] = {
    n: resources.length,
    old_us: round1(o),
    new_us: round1(n),
    speedup: round1(o / n),
    pipeline_old_us: round1(median(s.pipeline_old)),
    pipeline_new_us: round1(median(s.pipeline_new)),
  };
}
console.log(
  JSON.stringify({ bench: 'validate', unit: 'µs CPU per resource (median of rounds)', rounds, types }),
);
