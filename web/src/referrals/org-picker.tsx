import type { Organization } from '@medplum/fhirtypes';
import { kithFhir } from '../fhir/kith';
import { OutcomeAlert } from '../ui/outcome-alert';
import { useLoad } from '../ui/use-load';
import { setActingOrganization, useActingOrganization } from './acting-org';

/**
 * "Working for": the organization whose referrals the screens show and in whose name referrals
 * are sent and answered. The server decides what that organization may do.
 */
export function OrgPicker() {
  const acting = useActingOrganization();
  const orgs = useLoad('orgs', (signal) =>
    kithFhir.search<Organization>('Organization', { _count: 200, _sort: 'name' }, signal),
  );
  if (orgs.status === 'error') return <OutcomeAlert error={orgs.error} />;
  const list =
    orgs.status === 'done'
      ? (orgs.data.entry ?? []).map((e) => e.resource).filter((o): o is Organization => !!o?.id)
      : [];
  return (
    <div className="field org-picker">
      <label htmlFor="acting-org">Working for</label>
      <select
        id="acting-org"
        value={acting?.reference ?? ''}
        onChange={(e) => {
          const org = list.find((o) => `Organization/${o.id}` === e.target.value);
          setActingOrganization(
            org ? { reference: `Organization/${org.id}`, name: org.name ?? org.id! } : undefined,
          );
        }}
      >
        <option value="">Choose your organization</option>
        {acting && !list.some((o) => `Organization/${o.id}` === acting.reference) && (
          <option value={acting.reference}>{acting.name}</option>
        )}
        {list.map((o) => (
          <option key={o.id} value={`Organization/${o.id}`}>
            {o.name ?? o.id}
          </option>
        ))}
      </select>
    </div>
  );
}
