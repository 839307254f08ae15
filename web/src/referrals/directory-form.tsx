import { useState, type FormEvent } from 'react';
import { ageYears, DEFAULT_MILES, type DirectoryCriteria } from './directory-query';

interface Props {
  initial: DirectoryCriteria;
  onSearch: (c: DirectoryCriteria) => void;
}

/** The directory search form: need, category or taxonomy code, place and distance, language, filters. */
export function DirectoryForm({ initial, onSearch }: Props) {
  const [c, setC] = useState(initial);
  const set = <K extends keyof DirectoryCriteria>(k: K, v: DirectoryCriteria[K]) =>
    setC((old) => ({ ...old, [k]: v }));
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onSearch({ ...c, offset: 0 });
  };
  const text = (id: keyof DirectoryCriteria, label: string, hint: string) => (
    <div className="field">
      <label htmlFor={`dir-${id}`}>{label}</label>
      <input
        id={`dir-${id}`}
        type="search"
        autoComplete="off"
        value={String(c[id])}
        onChange={(e) => set(id, e.target.value as never)}
        aria-describedby={`dir-${id}-hint`}
      />
      <p className="hint" id={`dir-${id}-hint`}>
        {hint}
      </p>
    </div>
  );
  return (
    <form
      className="panel search-form"
      role="search"
      aria-label="Directory search"
      onSubmit={submit}
      noValidate
    >
      {text('need', 'Need or service', 'Words such as "food pantry" or "rental assistance"')}
      {text('category', 'Category or taxonomy code', 'A code, or system|code')}
      {text('language', 'Language', 'A language code, such as es or zh')}
      <fieldset className="field eligibility">
        <legend>Eligibility</legend>
        <label htmlFor="dir-age">Client&apos;s age</label>
        <input
          id="dir-age"
          type="text"
          inputMode="numeric"
          pattern="[0-9]*"
          autoComplete="off"
          value={c.age}
          onChange={(e) => set('age', e.target.value)}
          aria-describedby="dir-age-hint"
          aria-invalid={c.age.trim() !== '' && ageYears(c.age) === undefined}
        />
        <p className="hint" id="dir-age-hint">
          {c.age.trim() !== '' && ageYears(c.age) === undefined
            ? 'Give the age in whole years, from 0 to 130'
            : 'Leaves out services for other ages'}
        </p>
        <label htmlFor="dir-program">Program</label>
        <input
          id="dir-program"
          type="search"
          autoComplete="off"
          value={c.program}
          onChange={(e) => set('program', e.target.value)}
          aria-describedby="dir-program-hint"
        />
        <p className="hint" id="dir-program-hint">
          A program the client is enrolled in or qualifies for, such as CalFresh
        </p>
      </fieldset>
      {text('near', 'Near', 'An address, ZIP code or "latitude, longitude"')}
      <div className="field">
        <label htmlFor="dir-miles">Within (miles)</label>
        <input
          id="dir-miles"
          type="number"
          min={0.5}
          step={0.5}
          value={c.miles}
          onChange={(e) => set('miles', Number(e.target.value) || DEFAULT_MILES)}
        />
      </div>
      <fieldset className="field checks">
        <legend>Only services that are</legend>
        <label>
          <input type="checkbox" checked={c.openNow} onChange={(e) => set('openNow', e.target.checked)} />{' '}
          Open now
        </label>
        <label>
          <input
            type="checkbox"
            checked={c.acceptsReferrals}
            onChange={(e) => set('acceptsReferrals', e.target.checked)}
          />{' '}
          Accepting electronic referrals
        </label>
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="button primary">
          Search
        </button>
      </div>
    </form>
  );
}
