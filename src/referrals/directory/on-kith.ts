import type { Organization, PractitionerRole } from '@medplum/fhirtypes';
import type { FhirService } from '../../fhir/service';

/**
 * Does this Organization work on Kith, so its services can receive electronic referrals? It does
 * when people work for it here (an active PractitionerRole names it) or it has an Endpoint.
 */
export async function organizationOnKith(svc: FhirService, organizationId: string): Promise<boolean> {
  const stored = await svc.store.readIfExists('Organization', organizationId);
  if (!stored) return false;
  if ((JSON.parse(stored.json) as Organization).endpoint?.length) return true;
  const roles = await svc.conditionalMatches(
    'PractitionerRole',
    `organization=Organization/${organizationId}`,
    20,
  );
  return roles.some((v) => (JSON.parse(v.json) as PractitionerRole).active !== false);
}
