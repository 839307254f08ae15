import { formatName } from '../fhir/format';
import { groupResources } from '../fhir/groups';
import { kithFhir } from '../fhir/kith';
import { INCLUDE_LIMIT, loadPersonRecord, type PersonRecord } from '../fhir/person-record';
import { Link } from '../router/link';
import { BreakGlass } from '../privacy/break-glass';
import { useSessionUser } from '../session/session';
import { useDocumentTitle } from '../ui/document-title';
import { OutcomeAlert } from '../ui/outcome-alert';
import { useLoad } from '../ui/use-load';
import { LinkedRecords } from './identity/linked-records';
import { lastSearch } from './last-search';
import { PersonHeader } from './person-header';
import { groupId, ResourceGroupSection } from './resource-group';

/** One source record of a person (a FHIR Patient) and everything that references it, by type. */
export function PersonPage({ id }: { id: string }) {
  // Break-glass changes what the server shows: load again when it starts or ends.
  const emergency = useSessionUser()?.breakGlass?.until ?? '';
  const record = useLoad(`${id}|${emergency}`, (signal) => loadPersonRecord(kithFhir, id, signal));
  const name =
    record.status === 'done' ? (formatName(record.data.patient.name) ?? 'Unnamed person') : undefined;
  useDocumentTitle(name ?? 'Person');
  return (
    <div className="page">
      <p className="back">
        <Link to={lastSearch()}>← Person search</Link>
      </p>
      {/* One h1 for every state, so focus moved to it on navigation stays when the record arrives. */}
      <h1 tabIndex={-1}>{name ?? 'Person'}</h1>
      {record.status === 'loading' && (
        <p className="loading" role="status">
          Loading the person&apos;s records…
        </p>
      )}
      {record.status === 'error' && <OutcomeAlert error={record.error} />}
      <BreakGlass />
      {record.status === 'done' && <PersonRecordView record={record.data} />}
    </div>
  );
}

function PersonRecordView({ record }: { record: PersonRecord }) {
  const groups = groupResources(record.related, { nameOf: (key) => record.names.get(key) });
  const roles = useSessionUser()?.roles ?? [];
  const id = encodeURIComponent(record.patient.id ?? '');
  return (
    <>
      <PersonHeader patient={record.patient} />
      <p className="person-actions">
        <Link className="button" to={`/referrals/new?patient=${encodeURIComponent(record.patient.id ?? '')}`}>
          Send a referral
        </Link>{' '}
        <Link className="button" to={`/Patient/${id}/consents`}>
          Consents
        </Link>{' '}
        {roles.includes('administrator') && (
          <Link className="button" to={`/Patient/${id}/disclosures`}>
            Disclosures
          </Link>
        )}
      </p>
      {record.patient.id && <LinkedRecords patientId={record.patient.id} />}
      {record.truncated && (
        <div className="alert alert-warning" role="note">
          This person has more than {INCLUDE_LIMIT} related records; only the first {INCLUDE_LIMIT} are shown.
        </div>
      )}
      {groups.length === 0 ? (
        <p className="panel muted">No other records refer to this person yet.</p>
      ) : (
        <>
          <nav className="panel record-index" aria-label="Record sections">
            <h2 className="index-heading">In this record</h2>
            <ul>
              {groups.map((g) => (
                <li key={g.resourceType}>
                  <a href={`#${groupId(g.resourceType)}`}>
                    {g.label} <span className="count">{g.items.length}</span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {groups.map((g) => (
            <ResourceGroupSection key={g.resourceType} group={g} />
          ))}
        </>
      )}
    </>
  );
}
