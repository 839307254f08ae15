import type { Organization, Resource } from '@medplum/fhirtypes';
import type { FhirStore } from '../../store';
import { custodianOf, derivationReferences, labelResource } from '../labels';

/** Organization extension that flags a 42 CFR Part 2 program (documented in src/demo/kith.ts). */
export const PART2_PROGRAM_EXTENSION = 'https://kith.example.org/fhir/StructureDefinition/part2-program';

/** The Part 2 flag of a stored Organization (read as the system: the writer may not see it). */
async function part2Program(store: FhirStore, orgId: string): Promise<boolean> {
  const v = await store.unguarded().readIfExists('Organization', orgId);
  if (!v) return false;
  const org = JSON.parse(v.json) as Organization;
  return !!org.extension?.some((e) => e.url === PART2_PROGRAM_EXTENSION && e.valueBoolean === true);
}

/**
 * Where a record comes from, which fires source rules and becomes its custodian: on update the
 * stored record's custodian (a Part 2 record stays Part 2 whoever edits it); on create the writer's
 * organization; for the system (imports, demo, pipelines), the custodian the content already names.
 */
async function sourceOrganization(
  store: FhirStore,
  resource: Resource,
  previous: Resource | undefined,
): Promise<{ id: string; part2Program: boolean } | undefined> {
  const stored = previous && custodianOf(previous);
  if (stored) return { id: stored, part2Program: await part2Program(store, stored) };
  const org = store.caller?.organization;
  if (org) return { id: org.id, part2Program: org.part2Program };
  // Only the system and administrators may name the custodian in the content (imports, demo).
  if (store.caller && !store.caller.roles.includes('administrator')) return undefined;
  const asserted = custodianOf(resource);
  return asserted ? { id: asserted, part2Program: await part2Program(store, asserted) } : undefined;
}

/**
 * The labelled copy of a resource about to be stored: source, code, type and propagation rules
 * (src/privacy/labels), with the resources it is derived from read as the system so labels
 * propagate even from data the writer cannot see.
 */
export async function labelForWrite(
  store: FhirStore,
  resource: Resource,
  previous: Resource | undefined,
): Promise<Resource> {
  const system = store.unguarded();
  const derivedFrom: Resource[] = [];
  for (const ref of derivationReferences(resource)) {
    const [type, id] = ref.split('/');
    // What this transaction just wrote (a Provenance of the records it commits) needs no read.
    const written = system.writtenInTransaction(type, id);
    const v = written ? (written.deleted ? undefined : written) : await system.readIfExists(type, id);
    if (v) derivedFrom.push(JSON.parse(v.json) as Resource);
  }
  const caller = store.actor;
  const allowLabelRemoval = caller.roles.includes('administrator') || caller.roles.includes('data-steward');
  return labelResource(resource, {
    sourceOrganization: await sourceOrganization(store, resource, previous),
    derivedFrom,
    ...(previous ? { previous } : {}),
    allowLabelRemoval,
  }).resource;
}
