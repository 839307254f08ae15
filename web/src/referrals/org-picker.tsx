import type { Organization } from '@medplum/fhirtypes';
import { kithFhir } from '../fhir/kith';
import { useSessionUser } from '../session/session';
import { OutcomeAlert } from '../ui/outcome-alert';
import { useLoad } from '../ui/use-load';
import { setActingOrganization, useActingChoices, useActingOrganization } from './acting-org';
import type { ActingOrganization } from './acting-choice';

/**
 * "Working for": the organization whose referrals the screens show and in whose name referrals
 * are sent and answered — the signed-in user's. Someone with roles in several organizations
 * chooses among those; an administrator among all. The server decides what that side may do.
 */
export function OrgPicker() {
  const user = useSessionUser();
  const { choices, error } = useActingChoices();
  const acting = useActingOrganization();
  // Only administrators get the whole list of organizations.
  const all = useLoad(choices?.any ? 'orgs' : undefined, (signal) =>
    kithFhir.search<Organization>('Organization', { _count: 200, _sort: 'name' }, signal),
  );
  if (error) return <OutcomeAlert error={error} />;
  if (all.status === 'error') return <OutcomeAlert error={all.error} />;
  if (!choices || !user) return null;
  const list: ActingOrganization[] = choices.any
    ? all.status === 'done'
      ? (all.data.entry ?? [])
          .map((e) => e.resource)
          .filter((o): o is Organization => !!o?.id)
          .map((o) => ({ reference: `Organization/${o.id}`, name: o.name ?? o.id! }))
      : []
    : choices.organizations;
  if (!choices.any && list.length <= 1)
    return (
      <p className="field org-picker" data-testid="acting-org">
        Working for <strong>{acting?.name ?? 'no organization: your account names none'}</strong>
      </p>
    );
  return (
    <div className="field org-picker">
      <label htmlFor="acting-org">Working for</label>
      <select
        id="acting-org"
        value={acting?.reference ?? ''}
        onChange={(e) =>
          setActingOrganization(
            user.username,
            list.find((o) => o.reference === e.target.value),
          )
        }
      >
        {!acting && <option value="">Choose your organization</option>}
        {acting && !list.some((o) => o.reference === acting.reference) && (
          <option value={acting.reference}>{acting.name}</option>
        )}
        {list.map((o) => (
          <option key={o.reference} value={o.reference}>
            {o.name}
          </option>
        ))}
      </select>
    </div>
  );
}
