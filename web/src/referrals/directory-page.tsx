import type { Bundle } from '@medplum/fhirtypes';
import { kithFhir } from '../fhir/kith';
import { navigate, useLocation, withQuery } from '../router/router';
import { useDocumentTitle } from '../ui/document-title';
import { OutcomeAlert } from '../ui/outcome-alert';
import { useLoad } from '../ui/use-load';
import { DirectoryForm } from './directory-form';
import { DirectoryList } from './directory-list';
import { DirectoryMap } from './directory-map';
import {
  criteriaFromQuery,
  criteriaToQuery,
  directorySearchParams,
  hasCriteria,
  PAGE_SIZE,
  parsePoint,
  type DirectoryCriteria,
} from './directory-query';
import { readDirectoryPage, type DirectoryRow } from './directory-results';
import { locatedFrom, precisionText, type Place } from './geocode';

/** The provider directory: find services by need, place, language, hours; list or map; send a referral. */
export function DirectoryPage() {
  const { query } = useLocation();
  const criteria = criteriaFromQuery(query);
  // A referral for a person started from their page keeps the person through the search.
  const person = query.get('for') ?? '';
  const active = hasCriteria(criteria);
  const key = active ? JSON.stringify({ ...criteria, view: undefined }) : undefined;
  const result = useLoad(key, async (signal) => {
    // The server locates an address (street, ZIP code or city) and says how exactly it did.
    const bundle = await kithFhir.request<Bundle>(
      `HealthcareService/$directory-search${withQuery('', directorySearchParams(criteria))}`,
      { signal },
    );
    const located = locatedFrom(bundle);
    const point = parsePoint(criteria.near);
    const place: Place | undefined = point
      ? { point, precision: 'point', source: 'input', matched: `${point.lat}, ${point.long}` }
      : located?.place;
    const warnings = located?.warnings ?? [];
    if (located?.notFound) return { place, warnings, notFound: true as const };
    return { place, warnings, page: await readDirectoryPage(kithFhir, bundle, signal) };
  });
  useDocumentTitle(active ? 'Directory search results' : 'Provider directory');
  const go = (c: DirectoryCriteria): void =>
    navigate(withQuery('/directory', { ...criteriaToQuery(c), for: person || undefined }));
  const referralLink = (row: DirectoryRow): string | undefined =>
    row.acceptsReferrals && row.organization
      ? withQuery('/referrals/new', { service: row.service.id, patient: person || undefined })
      : undefined;

  return (
    <div className="page">
      <h1 tabIndex={-1}>Provider directory</h1>
      <p className="lede">
        Find services by need, distance, language and opening hours, and send a referral.
      </p>
      <DirectoryForm key={key ?? ''} initial={criteria} onSearch={go} />
      {result.status === 'loading' && (
        <p className="loading" role="status">
          Searching the directory…
        </p>
      )}
      {result.status === 'error' && <OutcomeAlert error={result.error} />}
      {result.status === 'done' && 'notFound' in result.data && (
        <div className="alert alert-warning" role="alert">
          “{criteria.near}” could not be located. Try a full street address with city and ZIP code, a ZIP
          code, or “latitude, longitude”.
        </div>
      )}
      {result.status === 'done' &&
        result.data.warnings.map((w) => (
          <div key={w} className="alert alert-warning" role="alert">
            {w}
          </div>
        ))}
      {result.status === 'done' && 'page' in result.data && result.data.page && (
        <section className="results" aria-labelledby="directory-results-heading">
          <div className="results-bar">
            <h2 id="directory-results-heading" tabIndex={-1}>
              Services
            </h2>
            <div className="view-switch" role="group" aria-label="Show results as">
              {(['list', 'map'] as const).map((v) => (
                <button
                  key={v}
                  type="button"
                  className="button"
                  aria-pressed={criteria.view === v}
                  onClick={() => go({ ...criteria, view: v })}
                >
                  {v === 'list' ? 'List' : 'Map'}
                </button>
              ))}
            </div>
          </div>
          <p className="results-status" role="status">
            {result.data.page.total === 1 ? '1 service found' : `${result.data.page.total} services found`}
            {result.data.page.total > PAGE_SIZE &&
              `. Showing ${criteria.offset + 1}–${criteria.offset + result.data.page.rows.length}`}
            {result.data.place && ` near ${result.data.place.matched}`}.
          </p>
          {result.data.place && (
            <p className="geocode-precision" data-precision={result.data.place.precision}>
              {precisionText(result.data.place)}
            </p>
          )}
          {criteria.view === 'map' ? (
            <DirectoryMap
              rows={result.data.page.rows}
              origin={result.data.place?.point}
              referralLink={referralLink}
            />
          ) : (
            <DirectoryList
              rows={result.data.page.rows}
              offset={criteria.offset}
              referralLink={referralLink}
            />
          )}
          {result.data.page.total > PAGE_SIZE && (
            <div className="pager">
              <button
                type="button"
                className="button"
                disabled={criteria.offset === 0}
                onClick={() => go({ ...criteria, offset: Math.max(0, criteria.offset - PAGE_SIZE) })}
              >
                Previous page
              </button>
              <button
                type="button"
                className="button"
                disabled={criteria.offset + PAGE_SIZE >= result.data.page.total}
                onClick={() => go({ ...criteria, offset: criteria.offset + PAGE_SIZE })}
              >
                Next page
              </button>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
