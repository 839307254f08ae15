import { useState } from 'react';
import { formatDate, formatName } from '../../fhir/format';
import {
  assuranceText,
  loadPersonOf,
  splitPerson,
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
import { mergeHref } from './merge-persons';

/**
 * Steward controls show to data stewards and administrators. Before sign-in exists there is no user
 * and the server trusts every caller, so they show then too; the server checks the role either way.
 */
export function isSteward(user: SessionUser | undefined): boolean {
  return !user || /steward|admin/i.test(user.role ?? '');
}

const nameOf = (r: LinkedRecord): string => (r.patient && formatName(r.patient.name)) ?? 'Unnamed record';

/** A steward action just taken on this panel, with what to say about it and its journal entry for undo. */
interface Done {
  message: string;
  action: IdentityAction;
}

/**
 * The resolved person this record belongs to: every linked source record with its source and how
 * sure the link is; stewards can take a record out (unlink), split chosen records into a new person,
 * go to merge this person with another, and undo what they did here.
 */
export function LinkedRecords({ patientId }: { patientId: string }) {
  const steward = isSteward(useSessionUser());
  const [version, setVersion] = useState(0);
  const person = useLoad(`${patientId}|${version}`, (signal) => loadPersonOf(kithFhir, patientId, signal));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<Done>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());

  const act = async (run: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await run();
      setSelected(new Set());
      setVersion((v) => v + 1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const unlink = (r: LinkedRecord): Promise<void> =>
    act(async () =>
      setDone({
        message: `Unlinked ${nameOf(r)}: it is now a person of its own.`,
        action: await unlinkRecord(kithFhir, r.patientId),
      }),
    );
  const split = (personId: string, records: LinkedRecord[]): Promise<void> =>
    act(async () => {
      const chosen = records.filter((r) => selected.has(r.patientId));
      const action = await splitPerson(
        kithFhir,
        personId,
        chosen.map((r) => r.patientId),
      );
      setDone({
        message: `Split ${chosen.map(nameOf).join(', ')} into a new person.`,
        action,
      });
    });
  const undo = (action: IdentityAction): Promise<void> =>
    act(async () => {
      await undoIdentityAction(kithFhir, action.actionId);
      setDone(undefined);
    });
  const toggle = (patientId: string, on: boolean): void =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(patientId);
      else next.delete(patientId);
      return next;
    });

  return (
    <section className="panel linked-records" aria-labelledby="linked-records-heading">
      <h2 id="linked-records-heading">Linked records</h2>
      {done && (
        <div className="alert decided" role="status">
          <p>
            {done.message}{' '}
            <button type="button" className="button" disabled={busy} onClick={() => void undo(done.action)}>
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
                      <td className="row-actions">
                        <label className="checkbox">
                          <input
                            type="checkbox"
                            checked={selected.has(r.patientId)}
                            disabled={busy}
                            onChange={(e) => toggle(r.patientId, e.target.checked)}
                          />{' '}
                          Select<span className="visually-hidden"> {nameOf(r)}</span>
                        </label>{' '}
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
          {steward && person.data.person.id && (
            <div className="form-actions">
              {person.data.records.length > 1 && (
                <button
                  type="button"
                  className="button"
                  disabled={busy || selected.size === 0 || selected.size >= person.data.records.length}
                  onClick={() => void split(person.data!.person.id!, person.data!.records)}
                >
                  Split selected into a new person
                </button>
              )}
              <Link className="button" to={mergeHref(person.data.person.id)}>
                Merge with another person
              </Link>
            </div>
          )}
        </>
      )}
    </section>
  );
}
