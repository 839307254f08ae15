import { useState, type FormEvent } from 'react';
import { hasCriteria, normalizeBirthDate, type SearchCriteria } from './person-search-query';

interface Props {
  initial: SearchCriteria;
  onSearch: (criteria: Omit<SearchCriteria, 'offset'>) => void;
}

/** Name, birth date and identifier fields with their hints; checks the input before searching. */
export function PersonSearchForm({ initial, onSearch }: Props) {
  const [name, setName] = useState(initial.name);
  const [birthdate, setBirthdate] = useState(initial.birthdate);
  const [identifier, setIdentifier] = useState(initial.identifier);
  const [dateError, setDateError] = useState<string>();
  const [formError, setFormError] = useState<string>();

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const date = normalizeBirthDate(birthdate);
    if ('error' in date) {
      setDateError(date.error);
      document.getElementById('search-birthdate')?.focus();
      return;
    }
    setDateError(undefined);
    const criteria = { name: name.trim(), birthdate: date.value, identifier: identifier.trim() };
    if (!hasCriteria(criteria)) {
      setFormError('Enter a name, a birth date or an identifier.');
      document.getElementById('search-name')?.focus();
      return;
    }
    setFormError(undefined);
    setBirthdate(date.value);
    onSearch(criteria);
  };

  const clear = (): void => {
    setName('');
    setBirthdate('');
    setIdentifier('');
    setDateError(undefined);
    setFormError(undefined);
    document.getElementById('search-name')?.focus();
  };

  return (
    <form className="panel search-form" role="search" aria-label="Person search" onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor="search-name">Name</label>
        <input
          id="search-name"
          name="name"
          type="search"
          autoComplete="off"
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-describedby="search-name-hint"
        />
        <p className="hint" id="search-name-hint">
          Any part of a given or family name
        </p>
      </div>
      <div className="field">
        <label htmlFor="search-birthdate">Birth date</label>
        <input
          id="search-birthdate"
          name="birthdate"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          value={birthdate}
          onChange={(e) => setBirthdate(e.target.value)}
          aria-invalid={dateError ? true : undefined}
          aria-describedby={
            dateError ? 'search-birthdate-error search-birthdate-hint' : 'search-birthdate-hint'
          }
        />
        <p className="hint" id="search-birthdate-hint">
          YYYY-MM-DD or MM/DD/YYYY
        </p>
        {dateError && (
          <p className="field-error" id="search-birthdate-error">
            {dateError}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor="search-identifier">Identifier</label>
        <input
          id="search-identifier"
          name="identifier"
          type="text"
          autoComplete="off"
          value={identifier}
          onChange={(e) => setIdentifier(e.target.value)}
          aria-describedby="search-identifier-hint"
        />
        <p className="hint" id="search-identifier-hint">
          Case, member or record number; or <code>system|value</code>
        </p>
      </div>
      <div className="form-actions">
        <button type="submit" className="button primary">
          Search
        </button>
        <button type="button" className="button" onClick={clear}>
          Clear
        </button>
      </div>
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
    </form>
  );
}
