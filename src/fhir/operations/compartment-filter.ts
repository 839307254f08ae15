import { registerSpecialSearch } from '../../store/search/special';
import type { SearchFilter } from '../../store/search/model';
import { patientCompartmentTypes } from '../../privacy/policy';

/**
 * Search filters no client can send (not search parameters of any type): the rows whose patient
 * compartment column holds one Patient (`$everything`) or any of several (`$export` at Patient and
 * Group level). Served as `special` parameters so those operations run as ordinary searches: the
 * caller's policy filter, totals and paging as for any search (src/privacy/enforce), never a
 * second path to the data.
 */
const IN_COMPARTMENT = '_kith-patient-compartment';
const IN_ANY_COMPARTMENT = '_kith-any-patient-compartment';
let registered: string[] | undefined;

/** The Patient compartment's types, sorted; registers the filters on first use. */
export function compartmentTypes(): string[] {
  if (!registered) {
    registered = [...new Set(patientCompartmentTypes())].sort();
    for (const type of registered) {
      registerSpecialSearch(type, IN_COMPARTMENT, (t, filter, p) => ({
        sql: `select id from fhir_resources where resource_type = ${p.add(t)} and not deleted
          and compartment @> ${p.add(filter.values)}::text[]`,
        negate: false,
      }));
      registerSpecialSearch(type, IN_ANY_COMPARTMENT, (t, filter, p) => ({
        sql: `select id from fhir_resources where resource_type = ${p.add(t)} and not deleted
          and compartment && ${p.add(filter.values)}::text[]`,
        negate: false,
      }));
    }
  }
  return registered;
}

/** Rows in the compartment of `Patient/id`. */
export function inCompartment(patientRef: string): SearchFilter {
  compartmentTypes();
  return { kind: 'param', code: IN_COMPARTMENT, type: 'special', values: [patientRef] };
}

/** Rows in the compartment of any of the given `Patient/id` references. */
export function inAnyCompartment(patientRefs: string[]): SearchFilter {
  compartmentTypes();
  return { kind: 'param', code: IN_ANY_COMPARTMENT, type: 'special', values: patientRefs };
}
