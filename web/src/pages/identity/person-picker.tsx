import type { Person } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { formatDate } from '../../fhir/format';
import { searchPersons } from '../../fhir/identity';
import { kithFhir } from '../../fhir/kith';
import { OutcomeAlert } from '../../ui/outcome-alert';
import { useLoad } from '../../ui/use-load';
import { personName } from './person-card';

/** Finds a resolved person (Person) by the name on its golden record, and hands the chosen one back. */
export function PersonPicker({
  label,
  exclude,
  onChoose,
}: {
  /** Names the slot: "first person", "second person". */
  label: string;
  /** A Person already chosen elsewhere on the page: not offered again. */
  exclude?: string;
  onChoose: (personId: string) => void;
}) {
  const [text, setText] = useState('');
  const [query, setQuery] = useState<string>();
  const found = useLoad(query, (signal) => searchPersons(kithFhir, query ?? '', signal));
  const inputId = `pick-${label.replace(/\W+/g, '-')}`;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (text.trim()) setQuery(text.trim());
  };
  const choices = found.status === 'done' ? found.data.filter((p: Person) => p.id && p.id !== exclude) : [];

  return (
    <section className="panel person-picker" aria-label={`Choose the ${label}`}>
      <form className="search-row" onSubmit={submit}>
        <div className="field">
          <label htmlFor={inputId}>Name of the {label}</label>
          <input id={inputId} value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" />
        </div>
        <button type="submit" className="button">
          Find
        </button>
      </form>
      {found.status === 'loading' && (
        <p className="loading" role="status">
          Searching…
        </p>
      )}
      {found.status === 'error' && <OutcomeAlert error={found.error} />}
      {found.status === 'done' &&
        (choices.length === 0 ? (
          <p className="muted" role="status">
            No person has that name.
          </p>
        ) : (
          <ul className="pick-list">
            {choices.map((p) => (
              <li key={p.id}>
                <button type="button" className="button" onClick={() => onChoose(p.id!)}>
                  Choose {personName(p)}
                  {p.birthDate ? `, born ${formatDate(p.birthDate)}` : ''}
                </button>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
