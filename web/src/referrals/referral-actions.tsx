import type { Bundle, Procedure, Task } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { kithFhir } from '../fhir/kith';
import { OutcomeAlert } from '../ui/outcome-alert';
import { kithRoot, notifyInboxChanged } from './api';
import type { ReferralRecord } from './referral-page';
import {
  allowedNext,
  businessStatusesFor,
  changedTask,
  type Party,
  type ReferralStatus,
  type TaskChange,
} from './workflow';

/** The button for each move, in words. */
export const ACTION: Record<ReferralStatus, string> = {
  draft: 'Save as draft',
  requested: 'Send',
  accepted: 'Accept',
  rejected: 'Reject',
  'in-progress': 'Start work',
  'on-hold': 'Put on hold',
  failed: 'Mark failed',
  completed: 'Complete',
  cancelled: 'Cancel referral',
  'entered-in-error': 'Mark entered in error',
};

const PROCEDURE_URL = 'urn:uuid:00000000-0000-4000-8000-00000000b001';

/** Sends a change: re-reads the Task so the move is judged against what is stored now, then writes it. */
async function applyChange(record: ReferralRecord, change: TaskChange, actor?: string): Promise<void> {
  const id = record.task.id as string;
  const current = await kithFhir.read<Task>('Task', id);
  const ifMatch = `W/"${current.meta?.versionId}"`;
  if (change.status !== 'completed') {
    await kithFhir.request(`Task/${encodeURIComponent(id)}`, {
      method: 'PUT',
      headers: { 'if-match': ifMatch },
      body: JSON.stringify(changedTask(current, change, undefined, actor)),
    });
    return;
  }
  // The outcome is the Procedure done, recorded with the completion in one transaction.
  const procedure: Procedure = {
    resourceType: 'Procedure',
    status: 'completed',
    code: { text: change.outcome },
    subject: current.for as Procedure['subject'],
    basedOn: current.focus?.reference ? [{ reference: current.focus.reference }] : undefined,
    performedDateTime: new Date().toISOString(),
    performer: current.owner?.reference
      ? [{ actor: { reference: current.owner.reference, display: current.owner.display } }]
      : undefined,
  };
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: PROCEDURE_URL, resource: procedure, request: { method: 'POST', url: 'Procedure' } },
      {
        resource: changedTask(current, change, PROCEDURE_URL, actor),
        request: { method: 'PUT', url: `Task/${id}`, ifMatch },
      },
    ],
  };
  await kithRoot.request('fhir', { method: 'POST', body: JSON.stringify(bundle) });
}

interface Props {
  record: ReferralRecord;
  party: Party;
  actor?: string;
  onChanged: () => void;
}

/** The moves the acting organization may make from the referral's status, each with what it needs. */
export function ReferralActions({ record, party, actor, onChanged }: Props) {
  const [chosen, setChosen] = useState<ReferralStatus>();
  const [reason, setReason] = useState('');
  const [business, setBusiness] = useState('');
  const [outcome, setOutcome] = useState('');
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const status = record.task.status as ReferralStatus;
  const moves = party === 'third-party' ? [] : allowedNext(status, party).filter((s) => s !== status);

  const choose = (s: ReferralStatus): void => {
    setChosen(s);
    setProblem(undefined);
    setError(undefined);
    setBusiness(s === 'completed' ? 'got-help' : '');
  };
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!chosen) return;
    if (chosen === 'rejected' && !reason.trim())
      return setProblem('Give the reason for rejecting the referral.');
    if (chosen === 'completed' && !outcome.trim()) return setProblem('Say what was done: the outcome.');
    setProblem(undefined);
    setBusy(true);
    try {
      await applyChange(
        record,
        {
          status: chosen,
          reason: reason.trim() || undefined,
          businessStatus: business || undefined,
          outcome: outcome.trim() || undefined,
          note: note.trim() || undefined,
        },
        actor,
      );
      notifyInboxChanged();
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (party === 'third-party')
    return (
      <p className="muted">
        Only the organization that sent this referral and the one that received it can update it. Choose one
        of them above if you work for it.
      </p>
    );
  if (!moves.length) return <p className="muted">This referral is closed: no further change can be made.</p>;
  return (
    <div className="referral-actions">
      <p className="muted">
        You are the{' '}
        {party === 'owner'
          ? 'receiving organization'
          : party === 'requester'
            ? 'sending organization'
            : 'sending and receiving organization'}
        .
      </p>
      <div className="action-buttons" role="group" aria-label="Change the status">
        {moves.map((s) => (
          <button
            key={s}
            type="button"
            className="button"
            aria-pressed={chosen === s}
            onClick={() => choose(s)}
          >
            {ACTION[s]}
          </button>
        ))}
      </div>
      {chosen && (
        <form className="action-form" onSubmit={submit} noValidate aria-label={ACTION[chosen]}>
          {chosen === 'completed' && (
            <div className="field">
              <label htmlFor="action-outcome">Outcome (what was done)</label>
              <input
                id="action-outcome"
                type="text"
                value={outcome}
                onChange={(e) => setOutcome(e.target.value)}
              />
            </div>
          )}
          {(chosen === 'rejected' ||
            chosen === 'failed' ||
            chosen === 'cancelled' ||
            chosen === 'on-hold') && (
            <div className="field">
              <label htmlFor="action-reason">Reason{chosen === 'rejected' ? '' : ' (optional)'}</label>
              <input
                id="action-reason"
                type="text"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
              />
            </div>
          )}
          {businessStatusesFor(chosen).length > 0 && (
            <div className="field">
              <label htmlFor="action-business">Detail (optional)</label>
              <select id="action-business" value={business} onChange={(e) => setBusiness(e.target.value)}>
                <option value="">None</option>
                {businessStatusesFor(chosen).map((b) => (
                  <option key={b.code} value={b.code}>
                    {b.display}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div className="field">
            <label htmlFor="action-note">Note (optional)</label>
            <input id="action-note" type="text" value={note} onChange={(e) => setNote(e.target.value)} />
          </div>
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? 'Saving…' : `Confirm: ${ACTION[chosen]}`}
            </button>
          </div>
          {problem && (
            <p className="form-error" role="alert">
              {problem}
            </p>
          )}
        </form>
      )}
      {!!error && <OutcomeAlert error={error} />}
    </div>
  );
}
