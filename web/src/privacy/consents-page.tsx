import type { Consent, Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import { formatName } from '../fhir/format';
import { loadPersonOf } from '../fhir/identity';
import { kithFhir } from '../fhir/kith';
import { Link } from '../router/link';
import { useSessionUser } from '../session/session';
import { useDocumentTitle } from '../ui/document-title';
import { OutcomeAlert } from '../ui/outcome-alert';
import { useLoad } from '../ui/use-load';
import { ConsentForm } from './consent-form';
import { ConsentList } from './consent-list';

/**
 * The Patient and the consents that apply to it: its own and those signed on the other source records
 * linked to the same person (the server applies those to this record too).
 */
async function loadConsents(
  patientId: string,
  signal: AbortSignal,
): Promise<{ patient: Patient; consents: Consent[] }> {
  const [patient, person] = await Promise.all([
    kithFhir.read<Patient>('Patient', patientId, signal),
    loadPersonOf(kithFhir, patientId, signal).catch(() => undefined),
  ]);
  const ids = [...new Set([patientId, ...(person?.records ?? []).map((r) => r.patientId)])];
  const bundle = await kithFhir.search<Consent>(
    'Consent',
    { patient: ids.map((id) => `Patient/${id}`).join(','), _count: 200 },
    signal,
  );
  const consents = (bundle.entry ?? []).map((e) => e.resource).filter((c): c is Consent => !!c);
  return { patient, consents };
}

/**
 * A person's privacy consents (/Patient/:id/consents): what they decided, and a form to record a new
 * decision or revoke one. The server applies a recorded or revoked consent on the next request.
 */
export function ConsentsPage({ patientId }: { patientId: string }) {
  const [version, setVersion] = useState(0);
  const [recorded, setRecorded] = useState(false);
  const data = useLoad(`${patientId}|${version}`, (signal) => loadConsents(patientId, signal));
  const name = data.status === 'done' ? (formatName(data.data.patient.name) ?? 'Unnamed person') : undefined;
  useDocumentTitle(name ? `Consents · ${name}` : 'Consents');
  const reload = () => setVersion((v) => v + 1);
  // The server refuses consent writes to view-only users; say so instead of offering the form.
  const viewOnly = /view only/i.test(useSessionUser()?.role ?? '');
  return (
    <div className="page">
      <p className="back">
        <Link to={`/Patient/${encodeURIComponent(patientId)}`}>← {name ?? 'Person'}</Link>
      </p>
      <h1 tabIndex={-1}>Consents{name ? ` of ${name}` : ''}</h1>
      <p className="lede">
        Who may see this person&apos;s data, which data, for what purpose and for how long. A decision takes
        effect as soon as it is recorded.
      </p>
      {recorded && (
        <p className="alert alert-success" role="status">
          Consent recorded.
        </p>
      )}
      {data.status === 'loading' && (
        <p className="loading" role="status">
          Loading consents…
        </p>
      )}
      {data.status === 'error' && <OutcomeAlert error={data.error} />}
      {data.status === 'done' && (
        <>
          <section aria-labelledby="consent-list-heading">
            <h2 id="consent-list-heading">Recorded consents</h2>
            <ConsentList consents={data.data.consents} onChanged={reload} />
          </section>
          {viewOnly ? (
            <p className="panel muted">
              Your access is view only: someone with exchange or edit access records consents.
            </p>
          ) : (
            <ConsentForm
              patientId={patientId}
              onRecorded={() => {
                setRecorded(true);
                reload();
              }}
            />
          )}
        </>
      )}
    </div>
  );
}
