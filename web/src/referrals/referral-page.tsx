import type { Bundle, Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import { useEffect, useState } from 'react';
import { formatConcepts, formatDate, formatName, formatReference, joinText } from '../fhir/format';
import { kithFhir } from '../fhir/kith';
import { statusLabel, statusTone } from '../fhir/values';
import { Link } from '../router/link';
import { useDocumentTitle } from '../ui/document-title';
import { OutcomeAlert } from '../ui/outcome-alert';
import { useLoad } from '../ui/use-load';
import { useActingOrganization } from './acting-org';
import { markReferralMessagesRead } from './api';
import { OrgPicker } from './org-picker';
import { ReferralSharing } from './referral-sharing';
import { ReferralActions } from './referral-actions';
import { referralCategoryText } from './referral-rows';
import { partyFor } from './workflow';

export interface ReferralRecord {
  task: Task;
  request?: ServiceRequest;
  patient?: Patient;
  history: Task[];
}

async function loadReferral(id: string, signal: AbortSignal): Promise<ReferralRecord> {
  const task = await kithFhir.read<Task>('Task', id, signal);
  const srId = /^ServiceRequest\/([^/]+)$/.exec(task.focus?.reference ?? '')?.[1];
  const patientId = /^Patient\/([^/]+)$/.exec(task.for?.reference ?? '')?.[1];
  const [request, patient, history] = await Promise.all([
    srId ? kithFhir.read<ServiceRequest>('ServiceRequest', srId, signal) : undefined,
    patientId ? kithFhir.read<Patient>('Patient', patientId, signal).catch(() => undefined) : undefined,
    kithFhir.request<Bundle<Task>>(`Task/${encodeURIComponent(id)}/_history?_count=100`, { signal }),
  ]);
  return {
    task,
    request,
    patient,
    history: (history.entry ?? []).map((e) => e.resource).filter((t): t is Task => !!t),
  };
}

/** One referral: what was asked, for whom, by whom, where it stands, its history, and the moves the viewer may make. */
export function ReferralPage({ id }: { id: string }) {
  const [version, setVersion] = useState(0);
  const record = useLoad(`${id}|${version}`, (signal) => loadReferral(id, signal));
  const acting = useActingOrganization();
  useDocumentTitle('Referral');
  useEffect(() => {
    if (acting && record.status === 'done')
      void markReferralMessagesRead(acting.reference, id).catch(() => undefined);
  }, [acting?.reference, id, record.status]);

  return (
    <div className="page">
      <p className="back">
        <Link to="/referrals">← Referrals</Link>
      </p>
      <h1 tabIndex={-1}>Referral</h1>
      {record.status === 'loading' && (
        <p className="loading" role="status">
          Loading the referral…
        </p>
      )}
      {record.status === 'error' && <OutcomeAlert error={record.error} />}
      {record.status === 'done' && (
        <>
          <ReferralSummary record={record.data} />
          <section className="panel" aria-labelledby="referral-actions-heading">
            <h2 id="referral-actions-heading">Update</h2>
            <OrgPicker />
            <ReferralActions
              key={record.data.task.meta?.versionId}
              record={record.data}
              party={partyFor(record.data.task, acting?.reference)}
              actor={acting?.name}
              onChanged={() => setVersion((v) => v + 1)}
            />
          </section>
          <ReferralSharing task={record.data.task} party={partyFor(record.data.task, acting?.reference)} />
          <ReferralHistory history={record.data.history} />
        </>
      )}
    </div>
  );
}

function ReferralSummary({ record }: { record: ReferralRecord }) {
  const { task, request, patient } = record;
  const outcomes = (task.output ?? [])
    .map(
      (o) =>
        o.valueReference?.display ?? formatConcepts(o.valueCodeableConcept ? [o.valueCodeableConcept] : []),
    )
    .filter(Boolean);
  return (
    <section className="panel referral-summary" aria-label="Referral details">
      <p className="referral-status">
        <span className={`badge tone-${statusTone(task.status)}`} data-testid="referral-status">
          {statusLabel(task.status)}
        </span>
        {task.businessStatus && (
          <span className="muted">
            {' '}
            {task.businessStatus.text ?? task.businessStatus.coding?.[0]?.display}
          </span>
        )}
      </p>
      <dl className="facts-grid">
        <div>
          <dt>Person</dt>
          <dd>
            {patient ? (
              <Link to={`/Patient/${patient.id}`}>{formatName(patient.name) ?? 'Unnamed person'}</Link>
            ) : (
              formatReference(task.for)
            )}
            {patient?.birthDate && <span className="muted"> · born {formatDate(patient.birthDate)}</span>}
          </dd>
        </div>
        <div>
          <dt>Need</dt>
          <dd>{referralCategoryText(request)}</dd>
        </div>
        <div>
          <dt>Service</dt>
          <dd>
            {request?.code?.text ?? formatConcepts(request?.code ? [request.code] : []) ?? task.description}
          </dd>
        </div>
        <div>
          <dt>Reason</dt>
          <dd>
            {[
              formatConcepts(request?.reasonCode),
              ...(request?.reasonReference ?? []).map((r) => formatReference(r)),
            ]
              .filter(Boolean)
              .join('; ') || <span className="muted">Not given</span>}
          </dd>
        </div>
        <div>
          <dt>From</dt>
          <dd>{formatReference(task.requester)}</dd>
        </div>
        <div>
          <dt>To</dt>
          <dd>{formatReference(task.owner)}</dd>
        </div>
        {task.partOf?.[0]?.reference?.startsWith('Task/') && (
          <div>
            <dt>Forwarded from</dt>
            <dd>
              <Link to={`/referrals/${task.partOf[0].reference}`}>the original referral</Link>
            </dd>
          </div>
        )}
        <div>
          <dt>Sent</dt>
          <dd>{formatDate(task.authoredOn)}</dd>
        </div>
        <div>
          <dt>Consent</dt>
          <dd>
            {request?.supportingInfo?.length ? 'Recorded' : <span className="muted">None recorded</span>}
          </dd>
        </div>
        {task.statusReason && (
          <div>
            <dt>Status reason</dt>
            <dd>{task.statusReason.text ?? task.statusReason.coding?.[0]?.display}</dd>
          </div>
        )}
        {outcomes.length > 0 && (
          <div>
            <dt>Outcome</dt>
            <dd data-testid="referral-outcome">{joinText(outcomes as string[])}</dd>
          </div>
        )}
      </dl>
      {[...(request?.note ?? []), ...(task.note ?? [])].length > 0 && (
        <ul className="notes">
          {[...(request?.note ?? []), ...(task.note ?? [])].map((n, i) => (
            <li key={i}>
              {n.text}
              {(n.authorString || n.time) && (
                <span className="muted"> — {joinText([n.authorString, formatDate(n.time)])}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Each stored version where the status or business status changed, oldest first. */
function ReferralHistory({ history }: { history: Task[] }) {
  const steps = [...history]
    .reverse()
    .filter(
      (t, i, all) =>
        i === 0 ||
        t.status !== all[i - 1].status ||
        JSON.stringify(t.businessStatus) !== JSON.stringify(all[i - 1].businessStatus),
    );
  return (
    <section className="panel" aria-labelledby="referral-history-heading">
      <h2 id="referral-history-heading">History</h2>
      <ol className="referral-history">
        {steps.map((t) => (
          <li key={t.meta?.versionId}>
            <span className={`badge tone-${statusTone(t.status)}`}>{statusLabel(t.status)}</span>{' '}
            {joinText(
              [t.businessStatus?.text ?? t.businessStatus?.coding?.[0]?.display, t.statusReason?.text],
              ' · ',
            )}{' '}
            <span className="muted">{formatDate(t.meta?.lastUpdated)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
