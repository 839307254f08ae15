import type { OperationDefinitionEntry } from '../../fhir/operations';
import { directoryBundle, directoryQueryFrom, searchDirectory } from '../directory/directory-search';
import { operationInputs } from './params';

/**
 * `HealthcareService/$directory-search`: the directory as people search it — near a point (ranked
 * by distance to the nearest location), by category or type code, words, language, eligibility,
 * program, age, open now, accepting electronic referrals. Answers a searchset Bundle whose
 * service entries carry the R4 `location-distance` extension, followed by their Locations.
 */
export const directorySearchOperation: OperationDefinitionEntry = {
  name: 'directory-search',
  definition: 'https://kith.example.org/fhir/OperationDefinition/HealthcareService-directory-search',
  level: 'type',
  types: ['HealthcareService'],
  async handler({ service, query, body, base }) {
    const q = directoryQueryFrom(operationInputs(query, body));
    const result = await searchDirectory(service.store.queryable, q);
    return { status: 200, resource: directoryBundle(base, result) };
  },
};
