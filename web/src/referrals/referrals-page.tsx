import type { Bundle } from '@medplum/fhirtypes';
import { formatDate, formatReference } from '../fhir/format';
import { statusLabel, statusTone } from '../fhir/values';
import { kithFhir } from '../fhir/kith';
import { Link } from '../router/link';
import { navigate, useLocation, withQuery } from '../router/router';
import { useDocumentTitle } from '../ui/document-title';
import { OutcomeAlert } from '../ui/outcome-alert';
import { useLoad } from '../ui/use-load';
import { useActingOrganization } from './acting-org';
import { OrgPicker } from './org-picker';
import { referralRows } from './referral-rows';
import { REFERRAL_STATUS_ORDER } from './workflow';

const OPEN = 'requested,accepted,in-progress,on-hold';

/**
 * The referral worklists of the organization the user works for: received (its inbox, as the
 * receiving organization) and sent (as the requester), filtered by status.
 */
export function ReferralsPage() {
  const { query } = useLocation();
  const box = query.get('box') === 'sent' ? 'sent' : 'inbox';
  const status = query.get('status') ?? 'open';
  const acting = useActingOrganization();
  useDocumentTitle(box === 'sent' ? 'Sent referrals' : 'Referral inbox');
  const key = acting ? `${box}|${status}|${acting.reference}` : undefined;
  const result = useLoad(key, async (signal) => {
    const q = new URLSearchParams({
      [box === 'sent' ? 'requester' : 'owner']: acting?.reference ?? '',
      intent: 'order',
    });
    if (status !== 'all') q.set('status', status === 'open' ? OPEN : status);
    // The request and the person come along, so the list needs one round trip.
    q.append('_include', 'Task:focus');
    q.append('_include', 'Task:patient');
    q.set('_sort', '-_lastUpdated');
    q.set('_count', '50');
    const bundle = await kithFhir.request<Bundle>(`Task?${q}`, { signal });
    return { bundle, rows: referralRows(bundle) };
  });
  const go = (params: Record<string, string | undefined>) =>
    navigate(
      withQuery('/referrals', {
        box: box === 'sent' ? 'sent' : undefined,
        status: status === 'open' ? undefined : status,
        ...params,
      }),
    );

  return (
    <div className="page">
      <h1 tabIndex={-1}>Referrals</h1>
      <div className="referral-toolbar">
        <OrgPicker />
        <p className="toolbar-links">
          <Link className="button primary" to="/referrals/new">
            Send a referral
          </Link>{' '}
          <Link className="button" to="/referrals/dashboard">
            Dashboard
          </Link>
        </p>
      </div>
      <nav className="tabs" aria-label="Referral lists">
        <Link
          to={withQuery('/referrals', { status: status === 'open' ? undefined : status })}
          aria-current={box === 'inbox' ? 'page' : undefined}
        >
          Received (inbox)
        </Link>
        <Link
          to={withQuery('/referrals', { box: 'sent', status: status === 'open' ? undefined : status })}
          aria-current={box === 'sent' ? 'page' : undefined}
        >
          Sent
        </Link>
      </nav>
      <div className="field status-filter">
        <label htmlFor="referral-status">Status</label>
        <select
          id="referral-status"
          value={status}
          onChange={(e) => go({ status: e.target.value === 'open' ? undefined : e.target.value })}
        >
          <option value="open">Open (requested, accepted, in progress, on hold)</option>
          <option value="all">All</option>
          {REFERRAL_STATUS_ORDER.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </div>
      {!acting && <p className="panel muted">Choose the organization you work for to see its referrals.</p>}
      {result.status === 'loading' && (
        <p className="loading" role="status">
          Loading referrals…
        </p>
      )}
      {result.status === 'error' && <OutcomeAlert error={result.error} />}
      {result.status === 'done' && (
        <section className="results" aria-labelledby="referral-list-heading">
          <h2 id="referral-list-heading" className="visually-hidden">
            {box === 'sent' ? 'Sent referrals' : 'Received referrals'}
          </h2>
          <p className="results-status" role="status">
            {result.data.rows.length === 1 ? '1 referral' : `${result.data.rows.length} referrals`}
          </p>
          {result.data.rows.length > 0 && (
            <div className="table-wrap">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">Need</th>
                    <th scope="col">Service</th>
                    <th scope="col">{box === 'sent' ? 'To' : 'From'}</th>
                    <th scope="col">Status</th>
                    <th scope="col">Sent</th>
                  </tr>
                </thead>
                <tbody>
                  {result.data.rows.map((r) => (
                    <tr key={r.task.id}>
                      <th scope="row">
                        <Link to={`/referrals/Task/${r.task.id}`}>
                          {r.person ?? formatReference(r.task.for) ?? 'Unknown person'}
                        </Link>
                      </th>
                      <td>{r.category}</td>
                      <td>{r.service}</td>
                      <td>{formatReference(box === 'sent' ? r.task.owner : r.task.requester)}</td>
                      <td>
                        <span className={`badge tone-${statusTone(r.task.status)}`}>
                          {statusLabel(r.task.status)}
                        </span>
                        {r.task.businessStatus && (
                          <div className="muted small">
                            {r.task.businessStatus.text ?? r.task.businessStatus.coding?.[0]?.display}
                          </div>
                        )}
                      </td>
                      <td>{formatDate(r.task.authoredOn)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
