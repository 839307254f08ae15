import type { Patient } from '@medplum/fhirtypes';
import { useState } from 'react';
import type { FhirClient } from '../../fhir/client';
import { formatName } from '../../fhir/format';
import {
  decideReview,
  loadReviewTasks,
  undoIdentityAction,
  type IdentityAction,
  type ReviewTask,
} from '../../fhir/identity';
import { kithFhir } from '../../fhir/kith';
import { Link } from '../../router/link';
import { useDocumentTitle } from '../../ui/document-title';
import { OutcomeAlert } from '../../ui/outcome-alert';
import { useLoad } from '../../ui/use-load';
import { MatchEvidenceTable } from './match-evidence';
import { recordFacts } from './record-summary';

interface LoadedTask {
  task: ReviewTask;
  record?: Patient;
  candidate?: Patient;
}

async function loadQueue(client: FhirClient, signal: AbortSignal): Promise<LoadedTask[]> {
  const tasks = await loadReviewTasks(client, signal);
  const ids = [...new Set(tasks.flatMap((t) => [t.patientId, t.candidatePatientId]))];
  const patients = new Map<string, Patient>();
  await Promise.all(
    ids.map(async (id) => {
      try {
        patients.set(id, await client.read<Patient>('Patient', id, signal));
      } catch (err) {
        if ((err as Error).name === 'AbortError') throw err;
        // A record this user may not read, or deleted since: the task still shows its evidence.
      }
    }),
  );
  return tasks.map((task) => ({
    task,
    record: patients.get(task.patientId),
    candidate: patients.get(task.candidatePatientId),
  }));
}

interface Decided {
  task: LoadedTask;
  decision: 'link' | 'not-same';
  action: IdentityAction;
}

/**
 * The data steward's review queue: each pair the rules could not decide, side by side with the
 * per-field evidence; the steward links them or says they are not the same person, and can undo.
 */
export function ReviewQueuePage() {
  useDocumentTitle('Identity review');
  const [version, setVersion] = useState(0);
  const queue = useLoad(`queue-${version}`, (signal) => loadQueue(kithFhir, signal));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [decided, setDecided] = useState<Decided>();

  const act = async (run: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await run();
      setVersion((v) => v + 1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const decide = (task: LoadedTask, decision: 'link' | 'not-same'): Promise<void> =>
    act(async () => {
      const action = await decideReview(kithFhir, task.task.id, decision);
      setDecided({ task, decision, action });
    });

  const undo = (d: Decided): Promise<void> =>
    act(async () => {
      await undoIdentityAction(kithFhir, d.action.actionId);
      setDecided(undefined);
    });

  return (
    <div className="page">
      <h1 tabIndex={-1}>Identity review</h1>
      <p className="lede">
        Records that may be the same person, which the matching rules could not decide. Compare them and
        decide; every decision is recorded and can be undone.
      </p>
      {decided && (
        <div className="alert decided" role="status">
          <p>
            {decided.decision === 'link'
              ? `Linked ${nameOf(decided.task.record)} with ${nameOf(decided.task.candidate)} as one person.`
              : `Recorded: ${nameOf(decided.task.record)} and ${nameOf(decided.task.candidate)} are not the same person.`}{' '}
            <button type="button" className="button" disabled={busy} onClick={() => void undo(decided)}>
              Undo
            </button>
          </p>
        </div>
      )}
      {error !== undefined && <OutcomeAlert error={error} />}
      {queue.status === 'loading' && (
        <p className="loading" role="status">
          Loading the review queue…
        </p>
      )}
      {queue.status === 'error' && <OutcomeAlert error={queue.error} />}
      {queue.status === 'done' &&
        (queue.data.length === 0 ? (
          <p className="panel muted">No records wait for review.</p>
        ) : (
          <>
            <p className="results-status">
              {queue.data.length} {queue.data.length === 1 ? 'pair waits' : 'pairs wait'} for review, oldest
              first.
            </p>
            {queue.data.map((t) => (
              <ReviewCard key={t.task.id} item={t} busy={busy} onDecide={(d) => void decide(t, d)} />
            ))}
          </>
        ))}
    </div>
  );
}

const nameOf = (p: Patient | undefined): string => (p && formatName(p.name)) ?? 'a record';

function RecordLink({ patient, id }: { patient?: Patient; id: string }) {
  return <Link to={`/Patient/${encodeURIComponent(id)}`}>{nameOf(patient)}</Link>;
}

function ReviewCard({
  item,
  busy,
  onDecide,
}: {
  item: LoadedTask;
  busy: boolean;
  onDecide: (decision: 'link' | 'not-same') => void;
}) {
  const { task, record, candidate } = item;
  const left = recordFacts(record);
  const right = new Map(recordFacts(candidate));
  const headingId = `review-${task.id}`;
  return (
    <article className="panel review-task" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {nameOf(record)} and {nameOf(candidate)}
      </h2>
      <p className="muted">
        Score {task.score.toFixed(1)} (log2 odds): between the rules&apos; thresholds for linking and for
        keeping apart.
      </p>
      <div className="table-wrap">
        <table className="data-table side-by-side">
          <caption className="visually-hidden">The two records side by side</caption>
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Fact</span>
              </th>
              <th scope="col">
                New record: <RecordLink patient={record} id={task.patientId} />
              </th>
              <th scope="col">
                Existing record: <RecordLink patient={candidate} id={task.candidatePatientId} />
              </th>
            </tr>
          </thead>
          <tbody>
            {left.map(([label, value]) => (
              <tr key={label} className={value !== '—' && right.get(label) === value ? 'agrees' : undefined}>
                <th scope="row">{label}</th>
                <td>{value}</td>
                <td>{right.get(label) ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {task.evidence && (
        <MatchEvidenceTable evidence={task.evidence} caption="Field by field, as the matching rules see it" />
      )}
      <div className="form-actions">
        <button type="button" className="button primary" disabled={busy} onClick={() => onDecide('link')}>
          Same person: link
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => onDecide('not-same')}>
          Not the same person
        </button>
      </div>
    </article>
  );
}
