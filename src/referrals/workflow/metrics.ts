import { SqlParams, type Queryable } from '../../store';
import { REFERRAL_STATUSES, type ReferralStatus } from './state-machine';

export interface MetricsFilter {
  owner?: string;
  requester?: string;
  category?: string;
  /** Referrals authored at or after / before these instants. */
  since?: string;
  until?: string;
}

export interface MetricsGroup {
  owner: string | null;
  category: string | null;
  total: number;
  byStatus: Partial<Record<ReferralStatus, number>>;
  medianHoursToAcceptance: number | null;
  medianHoursToCompletion: number | null;
  closed: number;
  closedWithOutcome: number;
  /** closedWithOutcome / closed (null when nothing is closed yet). */
  shareClosedWithOutcome: number | null;
}

export interface ReferralMetrics {
  overall: MetricsGroup;
  byOwner: MetricsGroup[];
  byCategory: MetricsGroup[];
  byOwnerAndCategory: MetricsGroup[];
}

const STATUSES = Object.keys(REFERRAL_STATUSES) as ReferralStatus[];

/**
 * Closure metrics over the `referral` table: counts by status, median time to acceptance and to
 * completion (from authoredOn), and the share of closed referrals closed with an outcome — overall,
 * by receiving organization, by category, and by both (one query, GROUPING SETS). Referrals
 * entered in error are left out.
 */
export async function referralMetrics(db: Queryable, f: MetricsFilter = {}): Promise<ReferralMetrics> {
  const p = new SqlParams();
  const where = ["status <> 'entered-in-error'"];
  if (f.owner) where.push(`owner_org = ${p.add(f.owner.replace(/^Organization\//, ''))}`);
  if (f.requester) where.push(`requester_org = ${p.add(f.requester.replace(/^Organization\//, ''))}`);
  if (f.category) where.push(`category = ${p.add(f.category)}`);
  if (f.since) where.push(`authored_at >= ${p.add(f.since)}::timestamptz`);
  if (f.until) where.push(`authored_at < ${p.add(f.until)}::timestamptz`);
  const statusCols = STATUSES.map((s, i) => `count(*) filter (where status = '${s}')::int as s${i}`).join(
    ', ',
  );
  const hours = (a: string, b: string): string =>
    `percentile_cont(0.5) within group (order by extract(epoch from (${a} - ${b})) / 3600.0)`;
  const sql = `select owner_org, category, grouping(owner_org) as g_owner, grouping(category) as g_cat,
      count(*)::int as total, ${statusCols},
      ${hours('accepted_at', 'authored_at')} filter (where accepted_at is not null) as to_accept,
      ${hours('completed_at', 'authored_at')} filter (where completed_at is not null) as to_complete,
      count(*) filter (where closed_at is not null)::int as closed,
      count(*) filter (where closed_at is not null and has_outcome)::int as closed_outcome
    from referral where ${where.join(' and ')}
    group by grouping sets ((), (owner_org), (category), (owner_org, category))
    order by owner_org nulls first, category nulls first`;
  const { rows } = await db.query(sql, p.values);
  const groups = rows.map((r) => ({ g: [Number(r.g_owner), Number(r.g_cat)], m: toGroup(r) }));
  const pick = (go: number, gc: number): MetricsGroup[] =>
    groups.filter((x) => x.g[0] === go && x.g[1] === gc).map((x) => x.m);
  return {
    overall: pick(1, 1)[0] ?? emptyGroup(),
    byOwner: pick(0, 1),
    byCategory: pick(1, 0),
    byOwnerAndCategory: pick(0, 0),
  };
}

function round(n: unknown): number | null {
  return n === null || n === undefined ? null : Math.round(Number(n) * 100) / 100;
}

function toGroup(r: Record<string, any>): MetricsGroup {
  const byStatus: Partial<Record<ReferralStatus, number>> = {};
  STATUSES.forEach((s, i) => {
    if (r[`s${i}`]) byStatus[s] = r[`s${i}`];
  });
  return {
    owner: Number(r.g_owner) ? null : (r.owner_org ?? null),
    category: Number(r.g_cat) ? null : (r.category ?? null),
    total: r.total,
    byStatus,
    medianHoursToAcceptance: round(r.to_accept),
    medianHoursToCompletion: round(r.to_complete),
    closed: r.closed,
    closedWithOutcome: r.closed_outcome,
    shareClosedWithOutcome: r.closed ? Math.round((r.closed_outcome / r.closed) * 1000) / 1000 : null,
  };
}

function emptyGroup(): MetricsGroup {
  return {
    owner: null,
    category: null,
    total: 0,
    byStatus: {},
    medianHoursToAcceptance: null,
    medianHoursToCompletion: null,
    closed: 0,
    closedWithOutcome: 0,
    shareClosedWithOutcome: null,
  };
}
