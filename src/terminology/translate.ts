import type {
  Coding,
  ConceptMap,
  ConceptMapElement,
  ConceptMapEquivalence,
  ConceptMapGroup,
  TranslateMatch,
  TranslateResult,
} from './types';
import { defaultRegistry, type ConceptMapRegistry } from './registry';

export interface TranslateOptions {
  /** Only consider groups whose target is this system (the $translate `targetsystem` parameter). */
  targetSystem?: string;
  /** Translate from a target code back to source codes (the $translate `reverse` parameter). */
  reverse?: boolean;
  /** Where ConceptMaps named by URL (and `other-map` hops) are looked up; defaults to Kith's shipped maps. */
  registry?: ConceptMapRegistry;
}

/** Equivalences that say "there is no usable target" (R4 ConceptMapEquivalence). */
const NOT_USABLE: ReadonlySet<ConceptMapEquivalence> = new Set(['unmatched', 'disjoint']);

/** Preference order when a caller wants one coding out of several matches: closest meaning first. */
const PREFERENCE: readonly ConceptMapEquivalence[] = [
  'equal',
  'equivalent',
  'wider',
  'subsumes',
  'narrower',
  'specializes',
  'inexact',
  'relatedto',
];

/** Seen from the other side of the map, "target is wider than source" becomes "narrower". */
const INVERSE: Partial<Record<ConceptMapEquivalence, ConceptMapEquivalence>> = {
  wider: 'narrower',
  narrower: 'wider',
  subsumes: 'specializes',
  specializes: 'subsumes',
};

const MAX_OTHER_MAP_HOPS = 5;

/**
 * Pure implementation of FHIR R4 `ConceptMap/$translate` for one code.
 *
 * - every group whose source is `system` (or that names no source) is searched for `code`;
 * - each target of a matching element becomes a `match` with its equivalence; an `unmatched`
 *   target is reported as a match without a concept, as the operation does;
 * - when a group has no element for the code, `group.unmapped` applies: `provided` echoes the code
 *   into the target system, `fixed` yields the configured code, `other-map` continues in another map;
 * - `result` is true only if some match is usable (not `unmatched` / `disjoint`).
 * `dependsOn` / `product` are not evaluated: no shipped map uses them.
 */
export function translate(
  map: ConceptMap | string,
  system: string | undefined,
  code: string,
  options: TranslateOptions = {},
): TranslateResult {
  const registry = options.registry ?? defaultRegistry;
  const conceptMap = typeof map === 'string' ? registry.require(map) : map;
  const match = options.reverse
    ? reverseMatches(conceptMap, system, code, options.targetSystem)
    : forwardMatches(conceptMap, system, code, options.targetSystem, registry, new Set(), 0);
  const result = match.some((m) => !NOT_USABLE.has(m.equivalence));
  const name = conceptMap.url ?? conceptMap.id ?? 'ConceptMap';
  const message = result
    ? undefined
    : match.length > 0
      ? `${system ?? ''}|${code} is explicitly unmatched in ${name}`
      : `No mapping for ${system ?? ''}|${code} in ${name}`;
  return message ? { result, message, match } : { result, match };
}

/** The single best usable coding of a translation, by closeness of meaning; undefined if none. */
export function bestMatch(result: TranslateResult): Coding | undefined {
  for (const equivalence of PREFERENCE) {
    const found = result.match.find((m) => m.equivalence === equivalence && m.concept);
    if (found?.concept) return found.concept;
  }
  return undefined;
}

/** Shorthand used by the mappers: translate and keep the best coding in `targetSystem` (if given). */
export function translateCoding(
  map: ConceptMap | string,
  system: string | undefined,
  code: string,
  targetSystem?: string,
  registry?: ConceptMapRegistry,
): Coding | undefined {
  return bestMatch(translate(map, system, code, { targetSystem, registry }));
}

/** The display a map's source side gives a code (ConceptMap elements carry source displays). */
export function sourceDisplay(
  map: ConceptMap | string,
  code: string,
  registry: ConceptMapRegistry = defaultRegistry,
): string | undefined {
  const conceptMap = typeof map === 'string' ? registry.require(map) : map;
  for (const group of conceptMap.group ?? []) {
    const element = elementIndex(group).get(code);
    if (element?.display) return element.display;
  }
  return undefined;
}

function forwardMatches(
  map: ConceptMap,
  system: string | undefined,
  code: string,
  targetSystem: string | undefined,
  registry: ConceptMapRegistry,
  visited: Set<string>,
  depth: number,
): TranslateMatch[] {
  const source = map.url ?? map.id ?? '';
  visited.add(source);
  const out: TranslateMatch[] = [];
  for (const group of map.group ?? []) {
    if (system !== undefined && group.source !== undefined && group.source !== system) continue;
    if (targetSystem !== undefined && group.target !== targetSystem) continue;
    const element = elementIndex(group).get(code);
    if (element) {
      const targets = element.target ?? [];
      // An element with no target at all carries no mapping: report it like an explicit `unmatched`.
      if (targets.length === 0) out.push({ equivalence: 'unmatched', source });
      for (const t of targets) {
        if (NOT_USABLE.has(t.equivalence) || t.code === undefined) {
          out.push({ equivalence: t.equivalence, source });
        } else {
          out.push({ equivalence: t.equivalence, concept: coding(group.target, t.code, t.display), source });
        }
      }
      continue;
    }
    const unmapped = group.unmapped;
    if (!unmapped) continue;
    if (unmapped.mode === 'provided') {
      out.push({ equivalence: 'equal', concept: coding(group.target, code), source });
    } else if (unmapped.mode === 'fixed' && unmapped.code) {
      // A fixed fallback is a catch-all ("other"), never an exact translation.
      out.push({
        equivalence: 'inexact',
        concept: coding(group.target, unmapped.code, unmapped.display),
        source,
      });
    } else if (unmapped.mode === 'other-map' && unmapped.url) {
      if (visited.has(unmapped.url) || depth >= MAX_OTHER_MAP_HOPS) continue; // a cycle adds nothing
      const next = registry.require(unmapped.url);
      out.push(...forwardMatches(next, system, code, targetSystem, registry, visited, depth + 1));
    }
  }
  return out;
}

function reverseMatches(
  map: ConceptMap,
  system: string | undefined,
  code: string,
  targetSystem: string | undefined,
): TranslateMatch[] {
  const source = map.url ?? map.id ?? '';
  const out: TranslateMatch[] = [];
  for (const group of map.group ?? []) {
    if (system !== undefined && group.target !== undefined && group.target !== system) continue;
    if (targetSystem !== undefined && group.source !== targetSystem) continue;
    for (const element of group.element) {
      for (const t of element.target ?? []) {
        if (t.code !== code || NOT_USABLE.has(t.equivalence) || element.code === undefined) continue;
        const equivalence = INVERSE[t.equivalence] ?? t.equivalence;
        out.push({ equivalence, concept: coding(group.source, element.code, element.display), source });
      }
    }
  }
  return out;
}

function coding(system: string | undefined, code: string, display?: string): Coding {
  const c: Coding = {};
  if (system) c.system = system;
  c.code = code;
  if (display) c.display = display;
  return c;
}

// Mappers translate the same few codes thousands of times per file: index each group once.
const indexCache = new WeakMap<ConceptMapGroup, Map<string, ConceptMapElement>>();

function elementIndex(group: ConceptMapGroup): Map<string, ConceptMapElement> {
  let index = indexCache.get(group);
  if (!index) {
    index = new Map();
    for (const element of group.element) {
      if (element.code !== undefined && !index.has(element.code)) index.set(element.code, element);
    }
    indexCache.set(group, index);
  }
  return index;
}
