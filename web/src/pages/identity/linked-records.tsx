import { useState } from 'react';
import { formatDate, formatName } from '../../fhir/format';
import {
  assuranceText,
  loadPersonOf,
  undoIdentityAction,
  unlinkRecord,
  type IdentityAction,
  type LinkedRecord,
} from '../../fhir/identity';
import { kithFhir } from '../../fhir/kith';
import { Link } from '../../router/link';
import { useSessionUser, type SessionUser } from '../../session/session';
import { OutcomeAlert } from '../../ui/outcome-alert';
import { useLoad } from '../../ui/use-load';

/**
 * Steward controls show to data stewards and administrators. Before sign-in exists there is no user
 * and the server trusts every caller, so they show then too; the server checks the role either way.
 */
export function isSteward(user: SessionUser | undefined): boolean {
  return !user || /steward|admin/i.test(user.role ?? '');
}

const nameOf = (r: LinkedRecord): string => (r.patient && formatName(r.patient.name)) ?? 'Unnamed record';

/**
 * The resolved person this record belongs to: every linked source record with its source and how
 * sure the link is; stewards can take a record out (unlink) and undo that.
 */
export function LinkedRecords({ patientId }: { patientId: string }) {
  const steward = isSteward(useSessionUser());
  const [version, setVersion] = useState(0);
  const person = useLoad(`${patientId}|${version}`, (signal) => loadPersonOf(kithFhir, patientId, signal));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [unlinked, setUnlinked] = useState<{ name: string; action: IdentityAction }>();

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
  const unlink = (r: LinkedRecord): Promise<void> =>
    act(async () => setUnlinked({ name: nameOf(r), action: await unlinkRecord(kithFhir, r.patientId) }));
  const undo = (action: IdentityAction): Promise<void> =>
    act(async () => {
      await undoIdentityAction(kithFhir, action.actionId);
      setUnlinked(undefined);
    });

  return (
    <section className="panel linked-records" aria-labelledby="linked-records-heading">
      <h2 id="linked-records-heading">Linked records</h2>
      {unlinked && (
        <div className="alert decided" role="status">
          <p>
            Unlinked {unlinked.name}: it is now a person of its own.{' '}
            <button
              type="button"
              className="button"
              disabled={busy}
              onClick={() => void undo(unlinked.action)}
            >
              Undo
            </button>
          </p>
        </div>
      )}
      {error !== undefined && <OutcomeAlert error={error} />}
      {person.status === 'loading' && (
        <p className="loading" role="status">
          Loading linked records…
        </p>
      )}
      {person.status === 'error' && <OutcomeAlert error={person.error} />}
      {person.status === 'done' && !person.data && (
        <p className="muted">This record is not linked to a person yet.</p>
      )}
      {person.status === 'done' && person.data && (
        <>
          <p className="muted">
            {person.data.records.length === 1
              ? 'Only this record is known for this person.'
              : `${person.data.records.length} source records are one person.`}
          </p>
          <div className="table-wrap">
            <table className="data-table">
              <caption className="visually-hidden">Source records linked to this person</caption>
              <thead>
                <tr>
                  <th scope="col">Record</th>
                  <th scope="col">Birth date</th>
                  <th scope="col">Source</th>
                  <th scope="col">Link</th>
                  {steward && person.data.records.length > 1 && (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {person.data.records.map((r) => (
                  <tr key={r.patientId}>
                    <th scope="row">
                      {r.patientId === patientId ? (
                        <>
                          {nameOf(r)} <span className="muted">(this record)</span>
                        </>
                      ) : (
                        <Link to={`/Patient/${encodeURIComponent(r.patientId)}`}>{nameOf(r)}</Link>
                      )}
                    </th>
                    <td>{formatDate(r.patient?.birthDate) ?? '—'}</td>
                    <td>{r.patient?.meta?.source ?? <span className="muted">Not stated</span>}</td>
                    <td>
                      <span title={r.assurance}>
                        {assuranceText(r.assurance, person.data!.records.length === 1)}
                      </span>
                    </td>
                    {steward && person.data!.records.length > 1 && (
                      <td>
                        <button
                          type="button"
                          className="button"
                          disabled={busy}
                          onClick={() => void unlink(r)}
                          aria-label={`Unlink ${nameOf(r)}`}
                        >
                          Unlink
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
