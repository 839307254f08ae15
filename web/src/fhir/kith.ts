import { FhirClient } from './client';
import { accessToken, renewAccessToken } from '../session/session';

/**
 * The app's one FHIR client, on the same origin as the page. It sends the session's token, renews
 * it once on a 401, and when the session is over the app shows the sign-in screen.
 */
export const kithFhir = new FhirClient({ baseUrl: '/fhir', getAccessToken: accessToken, renewAccessToken });
