import { evalFhirPath, parseFhirPath, type FhirPathAtom } from '@medplum/core';
import type { Coding } from '@medplum/fhirtypes';
import type { CodeMatch } from './schema';

/** Codes compare upper-cased, trimmed, with dots removed: "f10.20" and "F1020" are the same code. */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase().replace(/\./g, '');
}

/** Compiled form of a CodeMatch, normalized once. */
export interface CompiledMatch {
  ranges: [string, string][];
  prefixes: string[];
  codes: Set<string>;
  exclude: string[];
}

export function compileMatch(m: CodeMatch): CompiledMatch {
  return {
    ranges: (m.ranges ?? []).map(([a, b]) => [normalizeCode(a), normalizeCode(b)]),
    prefixes: (m.prefixes ?? []).map(normalizeCode),
    codes: new Set((m.codes ?? []).map(normalizeCode)),
    exclude: (m.exclude ?? []).map(normalizeCode),
  };
}

/**
 * Whether a code falls in the match. A range compares the code's leading characters, as many as
 * each bound has: ["F10", "F16"] holds F10.20 and F16.9 but not F17.210 or F1.
 */
export function codeMatches(m: CompiledMatch, code: string): boolean {
  const c = normalizeCode(code);
  if (!c || m.exclude.some((x) => c.startsWith(x))) return false;
  if (m.codes.has(c)) return true;
  if (m.prefixes.some((p) => c.startsWith(p))) return true;
  return m.ranges.some(
    ([from, to]) => c.length >= from.length && c.slice(0, from.length) >= from && c.slice(0, to.length) <= to,
  );
}

const compiled = new Map<string, FhirPathAtom>();

function atom(expression: string): FhirPathAtom {
  let a = compiled.get(expression);
  if (!a) {
    a = parseFhirPath(expression);
    compiled.set(expression, a);
  }
  return a;
}

/** FHIRPath over a resource, with each expression parsed once per process. */
export function evalPath(expression: string, input: unknown): unknown[] {
  return evalFhirPath(atom(expression), input);
}

/** The Codings found at the paths: each result may be a CodeableConcept or a Coding. */
export function codingsAt(resource: unknown, paths: readonly string[]): Coding[] {
  const out: Coding[] = [];
  for (const path of paths) {
    for (const value of evalPath(path, resource)) {
      if (typeof value !== 'object' || value === null) continue;
      const v = value as { coding?: unknown; code?: unknown; system?: unknown };
      if (Array.isArray(v.coding)) {
        for (const c of v.coding) if (c && typeof c === 'object' && typeof c.code === 'string') out.push(c);
      } else if (typeof v.code === 'string') out.push(v as Coding);
    }
  }
  return out;
}

/** Reference strings ("Type/id", possibly absolute or versioned) found at the paths. */
export function referencesAt(resource: unknown, paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const path of paths) {
    for (const value of evalPath(path, resource)) {
      const ref = (value as { reference?: unknown } | null)?.reference;
      if (typeof ref === 'string' && ref && !ref.startsWith('#')) out.add(ref);
    }
  }
  return [...out];
}

/**
 * "Type/id" from a reference: relative, absolute (…/Type/id) or versioned (…/_history/n); undefined
 * for contained, logical or malformed references.
 */
export function localReference(ref: string): string | undefined {
  const parts = ref.split('?')[0].split('/');
  const h = parts.lastIndexOf('_history');
  const end = h >= 0 ? h : parts.length;
  const type = parts[end - 2];
  const id = parts[end - 1];
  if (!type || !id || !/^[A-Z][A-Za-z]+$/.test(type) || !/^[A-Za-z0-9\-.]{1,64}$/.test(id)) return undefined;
  return `${type}/${id}`;
}
