import type { Patient } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { formatName } from '../../fhir/format';
import { matchPatient, type MatchCandidate } from '../../fhir/identity';
import { kithFhir } from '../../fhir/kith';
import { Link } from '../../router/link';
import { navigate } from '../../router/router';
import { useDocumentTitle } from '../../ui/document-title';
import { OutcomeAlert } from '../../ui/outcome-alert';
import { MatchEvidenceTable } from './match-evidence';
import { MatchGrade } from './match-grade';
import { EMPTY_FORM, patientFromForm, type FormErrors, type NewPersonForm } from './new-person';
import { RecordSummary } from './record-summary';

type Check =
  | { status: 'idle' }
  | { status: 'checking' }
  | { status: 'checked'; patient: Patient; candidates: MatchCandidate[] }
  | { status: 'error'; error: unknown };

const FIELDS: { key: keyof NewPersonForm; label: string; hint?: string; wide?: boolean }[] = [
  { key: 'given', label: 'First name', hint: 'With a middle name after a space' },
  { key: 'family', label: 'Last name' },
  { key: 'birthDate', label: 'Birth date', hint: 'YYYY-MM-DD or MM/DD/YYYY' },
  { key: 'ssn', label: 'SSN', hint: 'Optional' },
  { key: 'phone', label: 'Phone' },
  { key: 'line', label: 'Street address', wide: true },
  { key: 'city', label: 'City' },
  { key: 'state', label: 'State' },
  { key: 'postalCode', label: 'ZIP code' },
];

/**
 * Create a person: the form first asks the server who this might already be (Patient/$match) and
 * shows each likely record with why it matches, so the worker opens the existing person instead of
 * making a duplicate; only then can they create a new record.
 */
export function CreatePersonPage() {
  useDocumentTitle('Create a person');
  const [form, setForm] = useState<NewPersonForm>(EMPTY_FORM);
  const [errors, setErrors] = useState<FormErrors>({});
  const [check, setCheck] = useState<Check>({ status: 'idle' });
  const [creating, setCreating] = useState<{ error?: unknown; busy: boolean }>({ busy: false });

  const set = (key: keyof NewPersonForm, value: string): void => {
    setForm((f) => ({ ...f, [key]: value }));
    // What was checked is no longer what would be created.
    setCheck({ status: 'idle' });
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const built = patientFromForm(form);
    if ('errors' in built) {
      setErrors(built.errors);
      const first = FIELDS.find((f) => built.errors[f.key]);
      if (first) document.getElementById(`new-${first.key}`)?.focus();
      return;
    }
    setErrors({});
    setCheck({ status: 'checking' });
    try {
      const candidates = await matchPatient(kithFhir, built.patient);
      setCheck({ status: 'checked', patient: built.patient, candidates });
    } catch (error) {
      setCheck({ status: 'error', error });
    }
  };

  const create = async (patient: Patient): Promise<void> => {
    setCreating({ busy: true });
    try {
      const created = await kithFhir.request<Patient>('Patient', {
        method: 'POST',
        body: JSON.stringify(patient),
      });
      navigate(`/Patient/${encodeURIComponent(created.id ?? '')}`);
    } catch (error) {
      setCreating({ busy: false, error });
    }
  };

  return (
    <div className="page">
      <h1 tabIndex={-1}>Create a person</h1>
      <p className="lede">
        Enter what you know. Kith first shows anyone already on record who may be this person.
      </p>
      <form className="panel new-person-form" aria-label="New person" onSubmit={submit} noValidate>
        {FIELDS.map((f) => (
          <div className={f.wide ? 'field wide' : 'field'} key={f.key}>
            <label htmlFor={`new-${f.key}`}>{f.label}</label>
            <input
              id={`new-${f.key}`}
              type="text"
              autoComplete="off"
              value={form[f.key]}
              onChange={(e) => set(f.key, e.target.value)}
              aria-invalid={errors[f.key] ? true : undefined}
              aria-describedby={
                [errors[f.key] && `new-${f.key}-error`, f.hint && `new-${f.key}-hint`]
                  .filter(Boolean)
                  .join(' ') || undefined
              }
            />
            {f.hint && (
              <p className="hint" id={`new-${f.key}-hint`}>
                {f.hint}
              </p>
            )}
            {errors[f.key] && (
              <p className="field-error" id={`new-${f.key}-error`}>
                {errors[f.key]}
              </p>
            )}
          </div>
        ))}
        <div className="field">
          <label htmlFor="new-gender">Gender</label>
          <select id="new-gender" value={form.gender} onChange={(e) => set('gender', e.target.value)}>
            <option value="">Not stated</option>
            <option value="female">Female</option>
            <option value="male">Male</option>
            <option value="other">Other</option>
            <option value="unknown">Unknown</option>
          </select>
        </div>
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={check.status === 'checking'}>
            Check for existing records
          </button>
        </div>
      </form>
      {check.status === 'checking' && (
        <p className="loading" role="status">
          Looking for existing records…
        </p>
      )}
      {check.status === 'error' && <OutcomeAlert error={check.error} />}
      {check.status === 'checked' && (
        <section className="results" aria-labelledby="candidates-heading">
          <h2 id="candidates-heading">Existing records</h2>
          <p className="results-status" role="status">
            {check.candidates.length
              ? `${check.candidates.length} existing ${check.candidates.length === 1 ? 'record may be' : 'records may be'} this person. Open the right one instead of creating a duplicate.`
              : 'No existing record looks like this person.'}
          </p>
          {check.candidates.map((c) => (
            <CandidateCard key={c.patient.id} candidate={c} />
          ))}
          <div className="panel create-panel">
            {creating.error !== undefined && <OutcomeAlert error={creating.error} />}
            <button
              type="button"
              className={check.candidates.length ? 'button' : 'button primary'}
              disabled={creating.busy}
              onClick={() => void create(check.patient)}
            >
              {check.candidates.length ? 'None of these: create a new record' : 'Create the record'}
            </button>
          </div>
        </section>
      )}
    </div>
  );
}

function CandidateCard({ candidate }: { candidate: MatchCandidate }) {
  const { patient, grade, probability, evidence } = candidate;
  const name = formatName(patient.name) ?? 'Unnamed person';
  const headingId = `candidate-${patient.id}`;
  return (
    <article className="panel candidate" aria-labelledby={headingId}>
      <div className="candidate-head">
        <h3 id={headingId}>
          <Link to={`/Patient/${encodeURIComponent(patient.id ?? '')}`}>{name}</Link>
        </h3>
        <MatchGrade grade={grade} probability={probability} />
      </div>
      <RecordSummary patient={patient} />
      {evidence && <MatchEvidenceTable evidence={evidence} caption={`Why ${name} may be this person`} />}
    </article>
  );
}
