import type { Bundle, BundleEntry, ResourceType } from './fhir/types';
import type { MappedResource, MappingResult } from './result';

// Referenced resources first, so a server that processes entries in order never meets a dangling reference.
const ORDER: ResourceType[] = [
  'Organization',
  'Patient',
  'EpisodeOfCare',
  'Coverage',
  'Encounter',
  'Procedure',
  'Observation',
  'DiagnosticReport',
];

/**
 * A FHIR transaction Bundle for a mapping result: each resource is a conditional update
 * (`PUT Patient?identifier=sys|val`), each deletion a conditional delete. Re-running the same input
 * produces the same bundle, and committing it twice changes nothing the second time.
 */
export function toTransactionBundle(result: Pick<MappingResult, 'resources'>): Bundle {
  const sorted = [...result.resources].sort(
    (a, b) => rank(a) - rank(b) || (a.action === b.action ? 0 : a.action === 'delete' ? 1 : -1),
  );
  const entry: BundleEntry[] = sorted.map((m) =>
    m.action === 'delete'
      ? { fullUrl: m.fullUrl, request: { method: 'DELETE', url: m.conditionalUrl } }
      : { fullUrl: m.fullUrl, resource: m.resource, request: { method: 'PUT', url: m.conditionalUrl } },
  );
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

function rank(m: MappedResource): number {
  const i = ORDER.indexOf(m.resourceType);
  return i < 0 ? ORDER.length : i;
}
