import type { SearchFilter } from './model';
import type { SqlParams } from './params';

/**
 * SQL for a search parameter of type `special` (FHIR leaves their meaning to each parameter, e.g.
 * Location `near`). A capability that owns the index behind one registers a builder; the builder
 * returns SQL selecting the matching ids of `resourceType`, binding every value through `p`.
 */
export type SpecialSearchBuilder = (
  resourceType: string,
  filter: Extract<SearchFilter, { kind: 'param' }>,
  p: SqlParams,
) => { sql: string; negate: boolean };

const builders = new Map<string, SpecialSearchBuilder>();

export function registerSpecialSearch(
  resourceType: string,
  code: string,
  builder: SpecialSearchBuilder,
): void {
  builders.set(`${resourceType}.${code}`, builder);
}

export function specialSearchBuilder(resourceType: string, code: string): SpecialSearchBuilder | undefined {
  return builders.get(`${resourceType}.${code}`);
}
