import type { Bundle, Patient } from '@medplum/fhirtypes';
import {
  formatAddress,
  formatDate,
  formatName,
  humanize,
  identifierSource,
  identifierValue,
  primaryAddress,
} from '../fhir/format';
import { Link } from '../router/link';
import { PAGE_SIZE } from './person-search-query';

/** The results heading's id: the page moves focus there after paging. */
export const RESULTS_HEADING = 'results-heading';

interface Props {
  bundle: Bundle<Patient>;
  offset: number;
  onPage: (offset: number) => void;
}

/** The matching people as a table, with the count and previous/next paging. */
export function PersonResults({ bundle, offset, onPage }: Props) {
  const patients = (bundle.entry ?? [])
    .filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === 'Patient')
    .map((e) => e.resource as Patient);
  const hasNext = (bundle.link ?? []).some((l) => l.relation === 'next');
  const total = bundle.total;
  const first = offset + 1;
  const last = offset + patients.length;
  let status: string;
  if (!patients.length) status = offset ? 'No more people on this page.' : 'No one found.';
  else if (total !== undefined)
    status = `${total} ${total === 1 ? 'person' : 'people'} found. Showing ${first}–${last}.`;
  else status = `Showing ${first}–${last}.`;

  return (
    <section className="results" aria-labelledby="results-heading">
      <h2 id={RESULTS_HEADING} tabIndex={-1}>
        Results
      </h2>
      <p className="results-status" role="status">
        {status}
        {!patients.length && !offset && (
          <span className="muted">
            {' '}
            Check the spelling, try part of a name, or search by birth date or identifier.
          </span>
        )}
      </p>
      {patients.length > 0 && (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="visually-hidden">People matching the search, {status}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Birth date</th>
                <th scope="col">Gender</th>
                <th scope="col">Identifiers</th>
                <th scope="col">Address</th>
              </tr>
            </thead>
            <tbody>
              {patients.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    <Link to={`/Patient/${encodeURIComponent(p.id ?? '')}`}>
                      {formatName(p.name) ?? 'Unnamed person'}
                    </Link>
                  </th>
                  <td>{formatDate(p.birthDate) ?? <span className="muted">Unknown</span>}</td>
                  <td>{humanize(p.gender) ?? <span className="muted">Unknown</span>}</td>
                  <td>
                    <ul className="id-list">
                      {(p.identifier ?? []).map((id, i) => (
                        <li key={i}>
                          <span className="id-value">{identifierValue(id)}</span>{' '}
                          <span className="id-source" title={id.system}>
                            {identifierSource(id)}
                          </span>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    {formatAddress(primaryAddress(p.address)) ?? <span className="muted">None recorded</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(offset > 0 || hasNext) && (
        <nav className="pager" aria-label="Result pages">
          <button
            type="button"
            className="button"
            disabled={offset === 0}
            onClick={() => onPage(Math.max(0, offset - PAGE_SIZE))}
          >
            Previous page
          </button>
          <span className="pager-position">
            {first}–{last}
            {total !== undefined ? ` of ${total}` : ''}
          </span>
          <button
            type="button"
            className="button"
            disabled={!hasNext}
            onClick={() => onPage(offset + PAGE_SIZE)}
          >
            Next page
          </button>
        </nav>
      )}
    </section>
  );
}
