import { FhirClient } from './client';
import { accessToken } from '../session/session';

/** The app's one FHIR client, on the same origin as the page; it sends the session's token once there is one. */
export const kithFhir = new FhirClient({ baseUrl: '/fhir', getAccessToken: accessToken });
