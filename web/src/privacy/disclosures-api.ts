import { FhirClient } from '../fhir/client';
import { accessToken, renewAccessToken } from '../session/session';

/** One access to a person's data, as GET /api/audit/disclosures answers it (src/audit/disclosures.ts). */
export interface Disclosure {
  id: string;
  recorded: string;
  action: string;
  outcome: 'success' | 'failure';
  who: {
    kind: 'user' | 'client';
    id?: string;
    display?: string;
    practitionerRole?: string;
    organization?: string;
  };
  app?: string;
  purposeOfUse?: string;
  patients: string[];
  resources: string[];
  query?: string;
  reason?: string;
}

const auditApi = new FhirClient({ baseUrl: '/api/audit', getAccessToken: accessToken, renewAccessToken });

/** The accounting of disclosures for these Patient ids (administrators and data stewards only). */
export async function loadDisclosures(
  patientIds: string[],
  opts: { failures?: boolean },
  signal?: AbortSignal,
): Promise<Disclosure[]> {
  const q = new URLSearchParams();
  for (const id of patientIds) q.append('patient', `Patient/${id}`);
  if (opts.failures) q.set('failures', 'true');
  const body = await auditApi.request<{ disclosures: Disclosure[] }>(`disclosures?${q.toString()}`, {
    signal,
  });
  return body.disclosures;
}
