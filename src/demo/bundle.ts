/**
 * FHIR transaction Bundles with stable client ids: every entry is a PUT to `Type/id`, so loading the
 * demo twice updates the same resources instead of duplicating them. `fullUrl` is a urn:uuid derived
 * from the type and id (a name-based, version-5 style UUID), identical on every run.
 */
import { createHash } from 'node:crypto';
import type { Bundle, Coding, Resource } from './fhir';

/** Every demo resource carries this tag, so the demo data can be found (or removed) as a whole. */
export const DEMO_TAG: Coding = {
  system: 'https://kith.example.org/fhir/tag',
  code: 'demo',
  display: 'Kith demo data',
};

export function uuidFor(resourceType: string, id: string): string {
  const h = createHash('sha1').update(`kith-demo:${resourceType}/${id}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function tagged(resource: Resource): Resource {
  const { resourceType, id, meta, ...rest } = resource;
  return { resourceType, id, meta: { ...meta, tag: [DEMO_TAG] }, ...rest };
}

export function transactionBundle(id: string, resources: Resource[]): Bundle {
  return {
    resourceType: 'Bundle',
    id,
    type: 'transaction',
    entry: resources.map((r) => ({
      fullUrl: `urn:uuid:${uuidFor(r.resourceType, r.id)}`,
      resource: tagged(r),
      request: { method: 'PUT', url: `${r.resourceType}/${r.id}` },
    })),
  };
}
