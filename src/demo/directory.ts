/** The service directory: places (Locations) and the services offered there (HealthcareServices). */
import type { Resource } from './fhir';
import { locationResources } from './locations';
import { serviceResources } from './services';

export { LOCATIONS } from './locations';
export { SERVICE_DEFS, serviceFor } from './services';

export function directoryResources(): Resource[] {
  return [...locationResources(), ...serviceResources()];
}
