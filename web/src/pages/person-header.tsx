import type { Patient } from '@medplum/fhirtypes';
import {
  ageInYears,
  formatAddress,
  formatConcept,
  formatDate,
  formatTelecom,
  humanize,
  identifierSource,
  identifierValue,
  joinText,
} from '../fhir/format';

/** The person's demographics under the page heading: identity and contact facts. */
export function PersonHeader({ patient }: { patient: Patient }) {
  const age = ageInYears(patient.birthDate);
  const born = patient.birthDate
    ? `Born ${formatDate(patient.birthDate)}${age !== undefined && !patient.deceasedBoolean && !patient.deceasedDateTime ? ` (age ${age})` : ''}`
    : 'Birth date unknown';
  const deceased = patient.deceasedDateTime
    ? `Died ${formatDate(patient.deceasedDateTime)}`
    : patient.deceasedBoolean
      ? 'Deceased'
      : undefined;
  const languages = joinText((patient.communication ?? []).map((c) => formatConcept(c.language)));
  const addresses = (patient.address ?? []).map(formatAddress).filter(Boolean);
  return (
    <section className="person-header panel" aria-label="Demographics">
      <p className="person-subtitle">
        {joinText([humanize(patient.gender) ?? 'Gender unknown', born, deceased], ' · ')}
        {patient.active === false && <span className="badge tone-stopped">Inactive record</span>}
      </p>
      <dl className="facts-grid">
        <div>
          <dt>Identifiers</dt>
          <dd>
            {patient.identifier?.length ? (
              <ul className="id-list">
                {patient.identifier.map((id, i) => (
                  <li key={i}>
                    <span className="id-value">{identifierValue(id)}</span>{' '}
                    <span className="id-source" title={id.system}>
                      {identifierSource(id)}
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <span className="muted">None recorded</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Address</dt>
          <dd>
            {addresses.length ? (
              addresses.map((a, i) => <div key={i}>{a}</div>)
            ) : (
              <span className="muted">None recorded</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Phone and email</dt>
          <dd>{formatTelecom(patient.telecom) ?? <span className="muted">None recorded</span>}</dd>
        </div>
        {languages && (
          <div>
            <dt>Language</dt>
            <dd>{languages}</dd>
          </div>
        )}
        <div>
          <dt>Record source</dt>
          <dd>{patient.meta?.source ?? <span className="muted">Not stated</span>}</dd>
        </div>
        <div>
          <dt>Last updated</dt>
          <dd>{formatDate(patient.meta?.lastUpdated) ?? <span className="muted">Unknown</span>}</dd>
        </div>
      </dl>
    </section>
  );
}
