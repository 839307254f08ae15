import type { Organization, Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import { formatName } from '../fhir/format';
import { loadPersonOf } from '../fhir/identity';
import { kithFhir } from '../fhir/kith';
import { Link } from '../router/link';
import { useDocumentTitle } from '../ui/document-title';
import { OutcomeAlert } from '../ui/outcome-alert';
import { useLoad } from '../ui/use-load';
import { loadDisclosures, type Disclosure } from './disclosures-api';

const ACTIONS: Record<string, string> = {
  read: 'Opened a record',
  vread: 'Opened an earlier version',
  search: 'Searched',
  history: 'Read the history',
  export: 'Exported',
  operation: 'Ran an operation',
  transaction: 'Transaction',
  'break-glass': 'Emergency access (break-glass)',
  denied: 'Refused',
};

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) +
  ' UTC';

/** Names of the organizations the disclosures went to (ids where one cannot be read). */
async function organizationNames(
  disclosures: Disclosure[],
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const ids = [
    ...new Set(disclosures.map((d) => d.who.organization?.replace(/^Organization\//, '')).filter(Boolean)),
  ] as string[];
  const names = new Map<string, string>();
  if (!ids.length) return names;
  const bundle = await kithFhir
    .search<Organization>('Organization', { _id: ids.join(','), _count: ids.length }, signal)
    .catch(() => undefined);
  for (const e of bundle?.entry ?? [])
    if (e.resource?.id && e.resource.name) names.set(`Organization/${e.resource.id}`, e.resource.name);
  return names;
}

/** The person's records: this Patient and every source record linked to the same person. */
async function load(patientId: string, failures: boolean, signal: AbortSignal) {
  const [patient, person] = await Promise.all([
    kithFhir.read<Patient>('Patient', patientId, signal),
    loadPersonOf(kithFhir, patientId, signal).catch(() => undefined),
  ]);
  const ids = [...new Set([patientId, ...(person?.records ?? []).map((r) => r.patientId)])];
  const disclosures = await loadDisclosures(ids, { failures }, signal);
  return { patient, ids, disclosures, orgNames: await organizationNames(disclosures, signal) };
}

function Who({ d, orgNames }: { d: Disclosure; orgNames: Map<string, string> }) {
  const name = d.who.display ?? d.who.id ?? 'Unknown';
  return (
    <>
      {name}
      {d.who.kind === 'client' && <span className="muted"> (system)</span>}
      {d.who.organization && (
        <div className="muted" title={d.who.organization}>
          {orgNames.get(d.who.organization) ?? d.who.organization}
        </div>
      )}
    </>
  );
}

/**
 * Accounting of disclosures (/Patient/:id/disclosures): who saw this person's data, when, and why,
 * newest first. Administrators only, as the policy opens AuditEvent (the server refuses everyone else).
 */
export function DisclosuresPage({ patientId }: { patientId: string }) {
  const [failures, setFailures] = useState(false);
  const data = useLoad(`${patientId}|${failures}`, (signal) => load(patientId, failures, signal));
  const name = data.status === 'done' ? (formatName(data.data.patient.name) ?? 'Unnamed person') : undefined;
  useDocumentTitle(name ? `Disclosures · ${name}` : 'Disclosures');
  return (
    <div className="page">
      <p className="back">
        <Link to={`/Patient/${encodeURIComponent(patientId)}`}>← {name ?? 'Person'}</Link>
      </p>
      <h1 tabIndex={-1}>Accounting of disclosures{name ? `: ${name}` : ''}</h1>
      <p className="lede">Who saw this person&apos;s data, when and why, across every linked record.</p>
      <label>
        <input type="checkbox" checked={failures} onChange={(e) => setFailures(e.target.checked)} /> Include
        refused attempts
      </label>
      {data.status === 'loading' && (
        <p className="loading" role="status">
          Loading the access history…
        </p>
      )}
      {data.status === 'error' && <OutcomeAlert error={data.error} />}
      {data.status === 'done' && data.data.disclosures.length === 0 && (
        <p className="panel muted" role="status">
          Nobody has seen this person&apos;s data yet.
        </p>
      )}
      {data.status === 'done' && data.data.disclosures.length > 0 && (
        <div className="table-wrap">
          <table className="data-table" aria-label="Disclosures">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Purpose</th>
                <th scope="col">Records</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {data.data.disclosures.map((d) => (
                <tr key={d.id}>
                  <td>{when(d.recorded)}</td>
                  <td>
                    <Who d={d} orgNames={data.data.orgNames} />
                  </td>
                  <td>
                    {ACTIONS[d.action] ?? d.action}
                    {d.reason && <div className="muted">Reason: {d.reason}</div>}
                  </td>
                  <td>{d.purposeOfUse ?? '—'}</td>
                  <td>
                    {d.resources.length ? (
                      <span title={d.resources.join('\n')}>
                        {d.resources.length === 1 ? d.resources[0] : `${d.resources.length} records`}
                      </span>
                    ) : (
                      (d.query ?? '—')
                    )}
                  </td>
                  <td>{d.outcome === 'success' ? 'Shown' : 'Refused'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
