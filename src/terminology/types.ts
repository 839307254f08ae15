/**
 * The slice of the FHIR R4 ConceptMap resource that Kith ships and translates with. Declared here
 * (rather than imported) because @medplum/fhirtypes is not a dependency of the project; the shapes
 * follow the R4 specification field for field, so a full FHIR type is assignable to them.
 */
export type ConceptMapEquivalence =
  | 'relatedto'
  | 'equivalent'
  | 'equal'
  | 'wider'
  | 'subsumes'
  | 'narrower'
  | 'specializes'
  | 'inexact'
  | 'unmatched'
  | 'disjoint';

export interface Coding {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
}

export interface ConceptMapTarget {
  code?: string;
  display?: string;
  equivalence: ConceptMapEquivalence;
  comment?: string;
}

export interface ConceptMapElement {
  code?: string;
  display?: string;
  target?: ConceptMapTarget[];
}

export interface ConceptMapGroup {
  source?: string;
  sourceVersion?: string;
  target?: string;
  targetVersion?: string;
  element: ConceptMapElement[];
  unmapped?: { mode: 'provided' | 'fixed' | 'other-map'; code?: string; display?: string; url?: string };
}

export interface ConceptMap {
  resourceType: 'ConceptMap';
  id?: string;
  url?: string;
  version?: string;
  name?: string;
  title?: string;
  status: 'draft' | 'active' | 'retired' | 'unknown';
  experimental?: boolean;
  publisher?: string;
  description?: string;
  sourceUri?: string;
  sourceCanonical?: string;
  targetUri?: string;
  targetCanonical?: string;
  group?: ConceptMapGroup[];
}

/** One `match` of the R4 $translate output Parameters. */
export interface TranslateMatch {
  equivalence: ConceptMapEquivalence;
  /** Absent when the map says the code is explicitly `unmatched`. */
  concept?: Coding;
  /** The ConceptMap the match came from (differs from the requested one after an `other-map` hop). */
  source: string;
}

/** The R4 $translate output: `result` is true only when at least one match is usable. */
export interface TranslateResult {
  result: boolean;
  message?: string;
  match: TranslateMatch[];
}
