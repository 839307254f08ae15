import type { OperationDefinitionEntry } from '../../fhir/operations';
import { directoryBundle, directoryQueryFrom, searchDirectory } from '../directory/directory-search';
import { directoryGeocoder, geocodeOutcome } from '../directory/geocode';
import { parseNear } from '../directory/geo';
import { firstValue, operationInputs } from './params';

/**
 * `HealthcareService/$directory-search`: the directory as people search it — near a point (ranked
 * by distance to the nearest location), by category or type code, words, language, eligibility,
 * program, age, open now, accepting electronic referrals. Answers a searchset Bundle whose
 * service entries carry the R4 `location-distance` extension, followed by their Locations.
 * `address` (free text: a street address, ZIP code, city, or "lat, long") is geocoded on the server
 * (`directoryGeocoder`) and searched with `distance`/`unit`; an `outcome` entry says where it was
 * located and at which precision (address, zip, city), or that it was not.
 */
export const directorySearchOperation: OperationDefinitionEntry = {
  name: 'directory-search',
  definition: 'https://kith.example.org/fhir/OperationDefinition/HealthcareService-directory-search',
  level: 'type',
  types: ['HealthcareService'],
  async handler({ service, query, body, base }) {
    const inputs = operationInputs(query, body);
    const q = directoryQueryFrom(inputs);
    const address = firstValue(inputs, 'address')?.trim();
    if (!address || q.near) {
      const result = await searchDirectory(service.store.queryable, q);
      return { status: 200, resource: directoryBundle(base, result) };
    }
    const located = await directoryGeocoder(service.store.queryable).locate(address);
    const outcome = geocodeOutcome(address, located);
    const r = located.result;
    if (!r)
      return { status: 200, resource: directoryBundle(base, { total: 0, hits: [], locations: [] }, outcome) };
    const d = firstValue(inputs, 'distance');
    q.near = parseNear(`${r.lat}|${r.lon}|${d ?? ''}|${d ? (firstValue(inputs, 'unit') ?? '') : ''}`);
    const result = await searchDirectory(service.store.queryable, q);
    return { status: 200, resource: directoryBundle(base, result, outcome) };
  },
};
