/**
 * Kith terminology: shipped ConceptMaps (FHIR R4 JSON) and a pure `$translate`.
 * The integration mappers translate every local code through these maps, so a county can swap a
 * map (ConceptMapRegistry.extend) without touching mapping code.
 */
export type {
  Coding,
  ConceptMap,
  ConceptMapElement,
  ConceptMapEquivalence,
  ConceptMapGroup,
  ConceptMapTarget,
  TranslateMatch,
  TranslateResult,
} from './types';
export { translate, translateCoding, bestMatch, sourceDisplay, type TranslateOptions } from './translate';
export { ConceptMapRegistry, defaultRegistry } from './registry';
export { SHIPPED_CONCEPT_MAPS } from './maps';
export {
  CONCEPT_MAPS,
  KITH_FHIR_BASE,
  SYSTEMS,
  kithCodeSystem,
  kithConceptMap,
  kithExtension,
  kithIdentifierSystem,
  slug,
} from './systems';
