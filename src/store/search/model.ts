/** A parsed FHIR search, independent of the HTTP layer. */
export interface SearchRequest {
  resourceType: string;
  /** Every filter must hold (AND); each filter's values are alternatives (OR). */
  filters: SearchFilter[];
  sort: SortKey[];
  count: number;
  offset: number;
  total: 'none' | 'estimate' | 'accurate';
  summary?: 'true' | 'text' | 'data' | 'count' | 'false';
  elements?: string[];
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  /** Parameters that were not understood (reported back, or refused under `handling=strict`). */
  unknown: string[];
}

export type ParamType =
  'string' | 'token' | 'date' | 'number' | 'quantity' | 'reference' | 'uri' | 'composite' | 'special';

export type Prefix = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge' | 'sa' | 'eb' | 'ap';

export type SearchFilter =
  | {
      kind: 'param';
      code: string;
      type: ParamType;
      modifier?: string;
      values: string[];
    }
  | {
      /** subject:Patient.name=x — a reference parameter whose targets must match `next`. */
      kind: 'chain';
      code: string;
      targetTypes: string[];
      next: SearchFilter;
    }
  | {
      /** _has:Observation:patient:code=x — resources referenced by matching `type` resources. */
      kind: 'has';
      type: string;
      referenceCode: string;
      next: SearchFilter;
    }
  | { kind: 'id'; values: string[]; not?: boolean }
  | { kind: 'lastUpdated'; values: string[] };

export interface SortKey {
  code: string;
  type: ParamType;
  descending: boolean;
}

export interface IncludeSpec {
  sourceType: string;
  code: string;
  targetType?: string;
  iterate: boolean;
  /** `*`: every reference parameter of sourceType. */
  wildcard: boolean;
}
