import type { Organization, Parameters } from '@medplum/fhirtypes';
import { kithFhir } from '../fhir/kith';
import { statusLabel } from '../fhir/values';
import { Link } from '../router/link';
import { useDocumentTitle } from '../ui/document-title';
import { OutcomeAlert } from '../ui/outcome-alert';
import { useLoad } from '../ui/use-load';
import { durationText, percentText, readMetrics, type MetricsGroup } from './metrics';
import { sdohDisplay } from './sdoh';
import { REFERRAL_STATUS_ORDER } from './workflow';

async function loadDashboard(signal: AbortSignal) {
  const groups = readMetrics(await kithFhir.request<Parameters>('$referral-metrics', { signal }));
  const ids = [
    ...new Set(groups.map((g) => g.owner?.replace(/^Organization\//, '')).filter((x): x is string => !!x)),
  ];
  const names = new Map<string, string>();
  if (ids.length) {
    const orgs = await kithFhir.search<Organization>(
      'Organization',
      { _id: ids.join(','), _count: ids.length },
      signal,
    );
    for (const e of orgs.entry ?? [])
      if (e.resource?.id) names.set(`Organization/${e.resource.id}`, e.resource.name ?? e.resource.id);
  }
  return { groups, names };
}

/** Closure metrics of the referral loop: counts by status, time to acceptance and completion, closed with an outcome. */
export function DashboardPage() {
  const data = useLoad('metrics', loadDashboard);
  useDocumentTitle('Referrals dashboard');
  return (
    <div className="page">
      <p className="back">
        <Link to="/referrals">← Referrals</Link>
      </p>
      <h1 tabIndex={-1}>Referrals dashboard</h1>
      <p className="lede">
        Every referral on Kith, except those entered in error; times are medians from sending.
      </p>
      {data.status === 'loading' && (
        <p className="loading" role="status">
          Loading metrics…
        </p>
      )}
      {data.status === 'error' && <OutcomeAlert error={data.error} />}
      {data.status === 'done' && <Dashboard groups={data.data.groups} names={data.data.names} />}
    </div>
  );
}

function Dashboard({ groups, names }: { groups: MetricsGroup[]; names: Map<string, string> }) {
  const overall = groups.find((g) => g.slice === 'overall');
  if (!overall || overall.total === 0) return <p className="panel muted">No referrals have been sent yet.</p>;
  const orgName = (ref?: string) => (ref ? (names.get(ref) ?? ref) : 'No organization');
  return (
    <>
      <section className="panel kpis" aria-label="Overall">
        <Kpi label="Referrals" value={String(overall.total)} />
        <Kpi label="Median time to acceptance" value={durationText(overall.hoursToAcceptance)} />
        <Kpi label="Median time to completion" value={durationText(overall.hoursToCompletion)} />
        <Kpi
          label="Closed with an outcome"
          value={percentText(overall.shareClosedWithOutcome)}
          detail={`${overall.closedWithOutcome} of ${overall.closed} closed`}
        />
      </section>
      <section className="panel" aria-labelledby="by-status-heading">
        <h2 id="by-status-heading">By status</h2>
        <StatusBars group={overall} />
      </section>
      <MetricsTable
        id="by-org"
        title="By receiving organization"
        rows={groups.filter((g) => g.slice === 'owner').map((g) => ({ label: orgName(g.owner), g }))}
      />
      <MetricsTable
        id="by-category"
        title="By need (service category)"
        rows={groups
          .filter((g) => g.slice === 'category')
          .map((g) => ({ label: sdohDisplay(g.category), g }))}
      />
      <MetricsTable
        id="by-org-category"
        title="By organization and need"
        rows={groups
          .filter((g) => g.slice === 'owner-category')
          .map((g) => ({ label: `${orgName(g.owner)} · ${sdohDisplay(g.category)}`, g }))}
      />
    </>
  );
}

function Kpi({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="kpi">
      <div className="kpi-value">{value}</div>
      <div className="kpi-label">{label}</div>
      {detail && <div className="muted small">{detail}</div>}
    </div>
  );
}

/** A horizontal bar per status, drawn in SVG, with the numbers as text for every reader. */
function StatusBars({ group }: { group: MetricsGroup }) {
  const statuses = REFERRAL_STATUS_ORDER.filter((s) => group.byStatus[s]);
  const max = Math.max(...statuses.map((s) => group.byStatus[s]));
  const row = 30;
  const labelW = 130;
  const barW = 420;
  return (
    <svg
      className="status-bars"
      viewBox={`0 0 ${labelW + barW + 60} ${statuses.length * row + 6}`}
      role="img"
      aria-label="Referrals by status"
    >
      {statuses.map((s, i) => {
        const n = group.byStatus[s];
        const w = Math.max(2, (n / max) * barW);
        return (
          <g key={s} transform={`translate(0 ${i * row + 4})`}>
            <text x={labelW - 10} y={17} textAnchor="end">
              {statusLabel(s)}
            </text>
            <rect x={labelW} y={3} width={w} height={20} rx={3} className={`bar bar-${s}`} />
            <text x={labelW + w + 8} y={17} className="bar-value">
              {n}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function MetricsTable({
  id,
  title,
  rows,
}: {
  id: string;
  title: string;
  rows: { label: string; g: MetricsGroup }[];
}) {
  if (!rows.length) return null;
  return (
    <section className="results" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      <div className="table-wrap">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{title.replace(/^By /, '').replace(/^./, (c) => c.toUpperCase())}</th>
              <th scope="col">Referrals</th>
              <th scope="col">Open</th>
              <th scope="col">Completed</th>
              <th scope="col">To acceptance</th>
              <th scope="col">To completion</th>
              <th scope="col">Closed with outcome</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ label, g }) => {
              const open = ['requested', 'accepted', 'in-progress', 'on-hold', 'draft'].reduce(
                (n, s) => n + (g.byStatus[s] ?? 0),
                0,
              );
              return (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  <td>{g.total}</td>
                  <td>{open}</td>
                  <td>{g.byStatus.completed ?? 0}</td>
                  <td>{durationText(g.hoursToAcceptance)}</td>
                  <td>{durationText(g.hoursToCompletion)}</td>
                  <td>
                    <ShareBar share={g.shareClosedWithOutcome} /> {percentText(g.shareClosedWithOutcome)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ShareBar({ share }: { share?: number }) {
  if (share === undefined) return null;
  return (
    <svg className="share-bar" width="60" height="10" aria-hidden="true">
      <rect x="0" y="0" width="60" height="10" rx="2" className="share-bg" />
      <rect x="0" y="0" width={60 * share} height="10" rx="2" className="share-fill" />
    </svg>
  );
}
