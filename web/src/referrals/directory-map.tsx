import { Link } from '../router/link';
import type { Point } from './directory-query';
import { locationPoint, type DirectoryRow } from './directory-results';
import { fitProjection } from './map-projection';
import { milesText } from './directory-list';

const W = 720;
const H = 440;

/**
 * The results drawn on their own coordinates (no map tiles: the server reaches no tile service),
 * with the search point, a scale bar and north up. Numbered like the legend, which links to sending a referral.
 */
export function DirectoryMap({
  rows,
  origin,
  referralLink,
}: {
  rows: DirectoryRow[];
  origin?: Point;
  referralLink: (r: DirectoryRow) => string | undefined;
}) {
  const marks = rows.flatMap((row, i) =>
    row.locations.map((l) => ({ row, i, loc: l, point: locationPoint(l) })).filter((m) => m.point),
  ) as { row: DirectoryRow; i: number; loc: { name?: string }; point: Point }[];
  if (!marks.length)
    return <p className="panel muted">None of these services has a location with coordinates to draw.</p>;
  const proj = fitProjection([...marks.map((m) => m.point), ...(origin ? [origin] : [])], W, H, 40);
  const o = origin ? proj.project(origin) : undefined;
  return (
    <figure className="panel directory-map">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="map-title map-desc">
        <title id="map-title">Map of the services found</title>
        <desc id="map-desc">
          {marks.length} locations; numbers match the list below.
          {origin ? ' The cross marks the search point.' : ''}
        </desc>
        <rect x="0" y="0" width={W} height={H} className="map-bg" />
        {o && (
          <g className="map-origin" aria-hidden="true">
            <line x1={o.x - 9} y1={o.y} x2={o.x + 9} y2={o.y} />
            <line x1={o.x} y1={o.y - 9} x2={o.x} y2={o.y + 9} />
          </g>
        )}
        {marks.map(({ row, i, loc, point }, k) => {
          const { x, y } = proj.project(point);
          return (
            <g key={k} className="map-mark">
              <title>{`${i + 1}. ${row.service.name ?? 'Service'}${loc.name ? ` at ${loc.name}` : ''}`}</title>
              <circle cx={x} cy={y} r={11} className={row.acceptsReferrals ? 'map-pin accepts' : 'map-pin'} />
              <text x={x} y={y + 4} textAnchor="middle" className="map-pin-label" aria-hidden="true">
                {i + 1}
              </text>
            </g>
          );
        })}
        <g className="map-scale" transform={`translate(20 ${H - 24})`}>
          <line x1={0} y1={0} x2={proj.scale.length} y2={0} />
          <line x1={0} y1={-5} x2={0} y2={5} />
          <line x1={proj.scale.length} y1={-5} x2={proj.scale.length} y2={5} />
          <text x={proj.scale.length / 2} y={-8} textAnchor="middle">
            {proj.scale.miles} mi
          </text>
        </g>
        <text x={W - 20} y={28} textAnchor="end" className="map-north">
          N ↑
        </text>
      </svg>
      <figcaption>
        <ol className="map-legend">
          {rows.map((row, i) => (
            <li key={row.reference} value={i + 1}>
              {row.service.name ?? 'Unnamed service'}
              {row.distanceKm !== undefined && ` · ${milesText(row.distanceKm)}`}
              {' · '}
              {referralLink(row) ? (
                <Link to={referralLink(row) as string}>Send referral</Link>
              ) : (
                'contact directly'
              )}
            </li>
          ))}
        </ol>
      </figcaption>
    </figure>
  );
}
