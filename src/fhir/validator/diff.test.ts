import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { expect, it } from 'vitest';
import { describeWithFixtures, fixtureDir } from '../../integration/testing/fixtures';
import { loadDefinitions } from '../definitions';
import { jsonShapeIssues } from '../json-shape';
import { validationIssues } from '../validate';
import { validateStructure, type StructureIssue } from '.';
import { mutationsOf } from './mutations';
import { medplumStructureIssues } from './reference';

/**
 * Kith's validator must find exactly what Medplum's finds, error for error (expression and text),
 * on every official example and Synthea resource and on systematic breakages of each.
 */
loadDefinitions();

const examples = fixtureDir('fhir-r4-examples');
const synthea = fixtureDir('synthea-r4');

const pair = (i: StructureIssue) => `${i.expression} :: ${i.text}`;

interface Tally {
  compared: number;
  withErrors: number;
  shapeCaught: number;
}

function compare(resource: Record<string, unknown>, label: string, ...tallies: Tally[]): void {
  // Wrong JSON kinds are named by json-shape before either validator runs (Medplum throws on some).
  if (jsonShapeIssues(resource).length) {
    for (const tally of tallies) tally.shapeCaught++;
    expect(validationIssues(resource), label).toEqual(validationIssues(resource, medplumStructureIssues));
    return;
  }
  const theirs = new Set(medplumStructureIssues(resource as unknown as Resource).map(pair));
  const ours = new Set(validateStructure(resource as unknown as Resource).map(pair));
  expect({
    label,
    missed: [...theirs].filter((p) => !ours.has(p)),
    extra: [...ours].filter((p) => !theirs.has(p)),
  }).toEqual({
    label,
    missed: [],
    extra: [],
  });
  for (const tally of tallies) {
    tally.compared++;
    if (theirs.size) tally.withErrors++;
  }
}

/** The resource with every value replaced by its JSON kind: what decides where breakages go. */
function shapeOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shapeOf);
  if (!v || typeof v !== 'object') return typeof v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'resourceType' ? x : shapeOf(x)]));
}

// Synthea repeats a few dozen shapes thousands of times (2,544 entries, 92 shapes): every entry is
// compared as it is, and breakages are made once per shape, which keeps the suite to seconds.
const brokenShapes = new Set<string>();

function check(resources: Record<string, unknown>[], name: string, onePerShape: boolean): Tally {
  const tally: Tally = { compared: 0, withErrors: 0, shapeCaught: 0 };
  for (const r of resources) {
    const label = `${name} ${String(r.resourceType)}/${String(r.id)}`;
    compare(r, label, tally);
    const shape = JSON.stringify(shapeOf(r));
    if (onePerShape && brokenShapes.has(shape)) continue;
    brokenShapes.add(shape);
    for (const m of mutationsOf(r)) compare(m.resource, `${label}: ${m.name}`, tally, broken);
  }
  return tally;
}

/** Over all breakages made: most must make both validators report errors, or they test nothing. */
const broken: Tally = { compared: 0, withErrors: 0, shapeCaught: 0 };

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

// Fixture suites skip (with a message) only where ../shared/fixtures is absent; CI requires them.
describeWithFixtures('Kith validator vs Medplum: official R4 examples', 'fhir-r4-examples', () => {
  it.each(examples.files.filter((f) => f.endsWith('.json')))('%s and its breakages', (file) => {
    const tally = check([readJson(path.join(examples.path, file))], file, false);
    // Each example gets dozens of breakages, and most of them make both validators report errors.
    expect(tally.compared).toBeGreaterThan(20);
    expect(tally.withErrors + tally.shapeCaught).toBeGreaterThan((tally.compared + tally.shapeCaught) / 2);
  });
});

describeWithFixtures('Kith validator vs Medplum: Synthea bundles', 'synthea-r4', () => {
  it.each(synthea.files.filter((f) => f.endsWith('.json')))('%s, each entry and its breakages', (file) => {
    const bundle = readJson(path.join(synthea.path, file)) as {
      entry: { resource: Record<string, unknown> }[];
    };
    compare(bundle, `${file} (the Bundle)`, { compared: 0, withErrors: 0, shapeCaught: 0 });
    const tally = check(
      bundle.entry.map((e) => e.resource),
      file,
      true,
    );
    // Every entry is compared as it is (a Bundle entry never has the wrong JSON kinds).
    expect(tally.compared).toBeGreaterThanOrEqual(bundle.entry.length);
  });
});

describeWithFixtures('Kith validator vs Medplum: the breakages', 'fhir-r4-examples', () => {
  it('bite: most make both validators report errors', () => {
    expect(broken.compared + broken.shapeCaught).toBeGreaterThan(1000);
    expect(broken.withErrors + broken.shapeCaught).toBeGreaterThan(
      0.75 * (broken.compared + broken.shapeCaught),
    );
  });
});
