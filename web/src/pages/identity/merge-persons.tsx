import { useState } from 'react';
import type { FhirClient } from '../../fhir/client';
import {
  loadPerson,
  mergePersons,
  undoIdentityAction,
  type IdentityAction,
  type PersonLinks,
} from '../../fhir/identity';
import { kithFhir } from '../../fhir/kith';
import { navigate, useLocation } from '../../router/router';
import { useDocumentTitle } from '../../ui/document-title';
import { OutcomeAlert } from '../../ui/outcome-alert';
import { useLoad } from '../../ui/use-load';
import { PersonCard, personName } from './person-card';
import { PersonPicker } from './person-picker';

export const MERGE_PATH = '/steward/identity-merge';

/** The merge page for two Persons (either may be absent: the page then offers to find it). */
export function mergeHref(a?: string, b?: string): string {
  const q = new URLSearchParams();
  if (a) q.set('a', a);
  if (b) q.set('b', b);
  const s = q.toString();
  return s ? `${MERGE_PATH}?${s}` : MERGE_PATH;
}

type Slot = 'a' | 'b';
const SLOT_LABEL: Record<Slot, string> = { a: 'first person', b: 'second person' };

async function loadBoth(
  client: FhirClient,
  ids: Record<Slot, string | undefined>,
  signal: AbortSignal,
): Promise<Record<Slot, PersonLinks | undefined>> {
  const [a, b] = await Promise.all(
    (['a', 'b'] as const).map((s) => (ids[s] ? loadPerson(client, ids[s]!, signal) : undefined)),
  );
  return { a, b };
}

interface Merged {
  action: IdentityAction;
  into: string;
  intoName: string;
  fromName: string;
}

/**
 * Merge two resolved persons the matching kept apart. The steward sees both golden records and
 * their linked records, picks the Person that survives, and merges; the result shows the combined
 * records, and "Undo merge" restores exactly the earlier two Persons (the server journals the merge).
 */
export function MergePersonsPage() {
  useDocumentTitle('Merge persons');
  const { query } = useLocation();
  const ids: Record<Slot, string | undefined> = {
    a: query.get('a') ?? undefined,
    b: query.get('b') ?? undefined,
  };
  const [version, setVersion] = useState(0);
  const persons = useLoad(`${ids.a ?? ''}|${ids.b ?? ''}|${version}`, (signal) =>
    loadBoth(kithFhir, ids, signal),
  );
  const [survivor, setSurvivor] = useState<Slot>('a');
  const [merged, setMerged] = useState<Merged>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

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

  const choose = (slot: Slot, personId: string | undefined): void => {
    setMerged(undefined);
    navigate(mergeHref(slot === 'a' ? personId : ids.a, slot === 'b' ? personId : ids.b), { replace: true });
  };

  const loaded = persons.status === 'done' ? persons.data : undefined;
  const both = loaded?.a && loaded.b && ids.a !== ids.b ? { a: loaded.a, b: loaded.b } : undefined;
  const empty = (slot: Slot): boolean => !!loaded?.[slot] && loaded[slot]!.records.length === 0;

  const merge = (): Promise<void> =>
    act(async () => {
      if (!both) return;
      const into = survivor === 'a' ? both.a : both.b;
      const from = survivor === 'a' ? both.b : both.a;
      const action = await mergePersons(kithFhir, into.person.id!, from.person.id!);
      setMerged({
        action,
        into: into.person.id!,
        intoName: personName(into.person),
        fromName: personName(from.person),
      });
    });
  const unmerge = (m: Merged): Promise<void> =>
    act(async () => {
      await undoIdentityAction(kithFhir, m.action.actionId);
      setMerged(undefined);
    });

  const combined = merged && loaded && (loaded.a?.person.id === merged.into ? loaded.a : loaded.b);

  return (
    <div className="page">
      <h1 tabIndex={-1}>Merge persons</h1>
      <p className="lede">
        Two persons that are one: compare their golden records and linked records, choose which person
        survives, and merge. The merge is recorded and can be undone exactly.
      </p>
      {error !== undefined && <OutcomeAlert error={error} />}
      {persons.status === 'loading' && (
        <p className="loading" role="status">
          Loading the persons…
        </p>
      )}
      {persons.status === 'error' && <OutcomeAlert error={persons.error} />}
      {merged && (
        <>
          <div className="alert decided" role="status">
            <p>
              Merged {merged.fromName} into {merged.intoName}.{' '}
              <button type="button" className="button" disabled={busy} onClick={() => void unmerge(merged)}>
                Undo merge
              </button>
            </p>
          </div>
          {combined && <PersonCard links={combined} heading={`${personName(combined.person)} (merged)`} />}
        </>
      )}
      {!merged && loaded && (
        <>
          <div className="merge-columns">
            {(['a', 'b'] as const).map((slot) => {
              const links = loaded[slot];
              if (!links)
                return (
                  <PersonPicker
                    key={slot}
                    label={SLOT_LABEL[slot]}
                    exclude={slot === 'a' ? ids.b : ids.a}
                    onChoose={(id) => choose(slot, id)}
                  />
                );
              return (
                <PersonCard
                  key={slot}
                  links={links}
                  heading={`${slot === 'a' ? 'First' : 'Second'} person: ${personName(links.person)}`}
                >
                  {empty(slot) && (
                    <p className="muted">This person has no linked records (it was merged into another).</p>
                  )}
                  <p>
                    <button
                      type="button"
                      className="button"
                      disabled={busy}
                      onClick={() => choose(slot, undefined)}
                    >
                      Choose another {SLOT_LABEL[slot]}
                    </button>
                  </p>
                </PersonCard>
              );
            })}
          </div>
          {both && !empty('a') && !empty('b') && (
            <section className="panel merge-controls" aria-label="Merge">
              <fieldset>
                <legend>Which person survives?</legend>
                {(['a', 'b'] as const).map((slot) => (
                  <label key={slot} className="radio">
                    <input
                      type="radio"
                      name="survivor"
                      checked={survivor === slot}
                      onChange={() => setSurvivor(slot)}
                    />{' '}
                    {personName(both[slot].person)} ({both[slot].records.length}{' '}
                    {both[slot].records.length === 1 ? 'record' : 'records'})
                  </label>
                ))}
              </fieldset>
              <p className="muted">
                Every record of the other person moves to the survivor, confirmed by you; the golden record is
                rebuilt from all of them.
              </p>
              <div className="form-actions">
                <button type="button" className="button primary" disabled={busy} onClick={() => void merge()}>
                  Merge into {personName((survivor === 'a' ? both.a : both.b).person)}
                </button>
              </div>
            </section>
          )}
        </>
      )}
    </div>
  );
}
