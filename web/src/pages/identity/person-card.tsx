import type { Person } from '@medplum/fhirtypes';
import type { ReactNode } from 'react';
import {
  formatAddress,
  formatDate,
  formatName,
  formatTelecom,
  humanize,
  identifierValue,
  primaryAddress,
} from '../../fhir/format';
import { assuranceText, goldenSources, type PersonLinks } from '../../fhir/identity';
import { Link } from '../../router/link';

export const personName = (person: Person | undefined): string =>
  (person && formatName(person.name)) ?? 'Unnamed person';

/** The golden record's facts, each with the element whose provenance the Person records. */
function goldenFacts(person: Person): { label: string; element: string; value?: string }[] {
  return [
    { label: 'Name', element: 'name', value: formatName(person.name) },
    { label: 'Birth date', element: 'birthDate', value: formatDate(person.birthDate) },
    { label: 'Gender', element: 'gender', value: humanize(person.gender) },
    { label: 'SSN', element: 'ssn', value: person.identifier?.[0] && identifierValue(person.identifier[0]) },
    { label: 'Address', element: 'address', value: formatAddress(primaryAddress(person.address)) },
    { label: 'Phone', element: 'phone', value: formatTelecom(person.telecom) },
  ];
}

/**
 * A resolved person as a steward sees it before merging or splitting: the golden record (each value
 * with the record and source it survived from) and every linked source record. `children` go last
 * (the controls of the page that shows the card).
 */
export function PersonCard({
  links,
  heading,
  children,
}: {
  links: PersonLinks;
  heading: string;
  children?: ReactNode;
}) {
  const { person, records } = links;
  const sources = goldenSources(person);
  const names = new Map(records.map((r) => [r.patientId, formatName(r.patient?.name) ?? 'Unnamed record']));
  const headingId = `person-card-${person.id}`;
  return (
    <article className="panel person-card" aria-labelledby={headingId}>
      <h2 id={headingId}>{heading}</h2>
      <dl className="facts-grid" aria-label={`Golden record of ${personName(person)}`}>
        {goldenFacts(person).map(({ label, element, value }) => {
          const from = sources.get(element);
          return (
            <div key={label}>
              <dt>{label}</dt>
              <dd>
                {value ?? '—'}
                {value && from && (
                  <span className="muted golden-source">
                    {' '}
                    from {names.get(from.patientId) ?? 'a record'}
                    {from.source ? ` (${from.source})` : ''}
                  </span>
                )}
              </dd>
            </div>
          );
        })}
      </dl>
      <div className="table-wrap">
        <table className="data-table">
          <caption>{records.length === 1 ? '1 linked record' : `${records.length} linked records`}</caption>
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">Birth date</th>
              <th scope="col">Source</th>
              <th scope="col">Link</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.patientId}>
                <th scope="row">
                  <Link to={`/Patient/${encodeURIComponent(r.patientId)}`}>{names.get(r.patientId)}</Link>
                </th>
                <td>{formatDate(r.patient?.birthDate) ?? '—'}</td>
                <td>{r.patient?.meta?.source ?? <span className="muted">Not stated</span>}</td>
                <td>{assuranceText(r.assurance, records.length === 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {children}
    </article>
  );
}
