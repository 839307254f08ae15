import type { Attachment, Consent, Organization } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { kithFhir } from '../fhir/kith';
import { useSessionUser } from '../session/session';
import { OutcomeAlert } from '../ui/outcome-alert';
import { useLoad } from '../ui/use-load';
import {
  buildConsent,
  DATA_CLASSES,
  draftProblems,
  PURPOSES,
  RECORD_CATEGORIES,
  RECORD_TYPES,
  type ConsentDraft,
  type ConsentException,
} from './consent-resource';
import { ExceptionFields } from './exception-fields';

/** A signed form larger than this is better kept in a document system and linked. */
const MAX_FORM_BYTES = 5 * 1024 * 1024;

const today = (): string => new Date().toISOString().slice(0, 10);
const inAYear = (): string => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
};

async function loadOrganizations(signal: AbortSignal): Promise<{ id: string; name: string }[]> {
  const bundle = await kithFhir.search<Organization>('Organization', { _count: 500 }, signal);
  return (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter((o): o is Organization & { id: string } => !!o?.id)
    .map((o) => ({ id: o.id, name: o.name ?? o.id }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function readAttachment(file: File): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.onload = () => {
      const url = String(reader.result);
      resolve({
        contentType: file.type || 'application/octet-stream',
        data: url.slice(url.indexOf(',') + 1),
        title: file.name,
        size: file.size,
        creation: new Date().toISOString(),
      });
    };
    reader.readAsDataURL(file);
  });
}

type RecipientKind = 'organizations' | 'covered-entities' | 'anyone';

/** Records one consent decision for a person: who may (or may not) see which data, why and how long. */
export function ConsentForm({
  patientId,
  onRecorded,
}: {
  patientId: string;
  onRecorded: (c: Consent) => void;
}) {
  const user = useSessionUser();
  const organizations = useLoad('organizations', loadOrganizations);
  const [decision, setDecision] = useState<'permit' | 'deny'>('permit');
  const [recipientKind, setRecipientKind] = useState<RecipientKind>('organizations');
  const [orgIds, setOrgIds] = useState<string[]>([]);
  const [dataClasses, setDataClasses] = useState<string[]>(['N']);
  const [recordTypes, setRecordTypes] = useState<string[]>([]);
  const [categories, setCategories] = useState<string[]>([]);
  const [purposes, setPurposes] = useState<string[]>([]);
  const [exceptions, setExceptions] = useState<ConsentException[]>([]);
  const [start, setStart] = useState(today);
  const [end, setEnd] = useState(inAYear);
  const [signer, setSigner] = useState<'person' | 'representative'>('person');
  const [repName, setRepName] = useState('');
  const [repRelationship, setRepRelationship] = useState('');
  const [witnessed, setWitnessed] = useState(true);
  const [file, setFile] = useState<File>();
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);

  const toggle = (list: string[], code: string, on: boolean) =>
    on ? [...new Set([...list, code])] : list.filter((c) => c !== code);
  const orgs = organizations.status === 'done' ? organizations.data : [];

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    const draft: ConsentDraft = {
      patientId,
      decision,
      recipients:
        recipientKind === 'organizations'
          ? { kind: 'organizations', organizations: orgs.filter((o) => orgIds.includes(o.id)) }
          : { kind: recipientKind },
      dataClasses,
      recordTypes,
      categories,
      purposes,
      exceptions,
      start: start || undefined,
      end: end || undefined,
      signer:
        signer === 'person'
          ? { kind: 'person' }
          : { kind: 'representative', name: repName, relationship: repRelationship },
      witness: witnessed && user ? { reference: user.practitionerRole, display: user.name } : undefined,
    };
    const found = draftProblems(draft);
    if (file && file.size > MAX_FORM_BYTES) found.push('The signed form is larger than 5 MB.');
    setProblems(found);
    if (found.length) return;
    setSaving(true);
    try {
      const attachment = file ? await readAttachment(file) : undefined;
      const consent = await kithFhir.request<Consent>('Consent', {
        method: 'POST',
        body: JSON.stringify(buildConsent({ ...draft, ...(attachment ? { attachment } : {}) })),
      });
      setFile(undefined);
      setOrgIds([]);
      setExceptions([]);
      onRecorded(consent);
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="panel consent-form" aria-labelledby="consent-form-heading" onSubmit={submit} noValidate>
      <h2 id="consent-form-heading">Record a consent</h2>
      <fieldset>
        <legend>Decision</legend>
        <label>
          <input
            type="radio"
            name="decision"
            checked={decision === 'permit'}
            onChange={() => setDecision('permit')}
          />{' '}
          Permit sharing
        </label>
        <label>
          <input
            type="radio"
            name="decision"
            checked={decision === 'deny'}
            onChange={() => setDecision('deny')}
          />{' '}
          Deny sharing
        </label>
      </fieldset>

      <fieldset>
        <legend>With whom</legend>
        <label>
          <input
            type="radio"
            name="recipients"
            checked={recipientKind === 'organizations'}
            onChange={() => setRecipientKind('organizations')}
          />{' '}
          Organizations named here
        </label>
        <label>
          <input
            type="radio"
            name="recipients"
            checked={recipientKind === 'covered-entities'}
            onChange={() => setRecipientKind('covered-entities')}
          />{' '}
          All HIPAA covered entities
        </label>
        <label>
          <input
            type="radio"
            name="recipients"
            checked={recipientKind === 'anyone'}
            onChange={() => setRecipientKind('anyone')}
          />{' '}
          Anyone using Kith
        </label>
        {recipientKind === 'organizations' && (
          <div className="choice-list" role="group" aria-label="Organizations">
            {organizations.status === 'loading' && <p className="loading">Loading organizations…</p>}
            {organizations.status === 'error' && <OutcomeAlert error={organizations.error} />}
            {orgs.map((o) => (
              <label key={o.id}>
                <input
                  type="checkbox"
                  checked={orgIds.includes(o.id)}
                  onChange={(ev) => setOrgIds((ids) => toggle(ids, o.id, ev.target.checked))}
                />{' '}
                {o.name}
              </label>
            ))}
          </div>
        )}
      </fieldset>

      <fieldset>
        <legend>Which data</legend>
        {DATA_CLASSES.map((c) => (
          <label key={c.code}>
            <input
              type="checkbox"
              checked={dataClasses.includes(c.code)}
              onChange={(ev) => setDataClasses((list) => toggle(list, c.code, ev.target.checked))}
            />{' '}
            {c.label}
            {c.hint && <span className="hint"> — {c.hint}</span>}
          </label>
        ))}
      </fieldset>

      <fieldset>
        <legend>Only these kinds of records (none chosen: all)</legend>
        {RECORD_TYPES.map((t) => (
          <label key={t.code}>
            <input
              type="checkbox"
              checked={recordTypes.includes(t.code)}
              onChange={(ev) => setRecordTypes((list) => toggle(list, t.code, ev.target.checked))}
            />{' '}
            {t.label}
          </label>
        ))}
      </fieldset>

      <fieldset>
        <legend>
          Only these categories of data (none chosen: all; with kinds of records, both must match)
        </legend>
        {RECORD_CATEGORIES.map((c) => (
          <label key={c.code}>
            <input
              type="checkbox"
              checked={categories.includes(c.code)}
              onChange={(ev) => setCategories((list) => toggle(list, c.code, ev.target.checked))}
            />{' '}
            {c.label}
          </label>
        ))}
      </fieldset>

      <fieldset>
        <legend>For these purposes (none chosen: any purpose)</legend>
        {PURPOSES.map((p) => (
          <label key={p.code}>
            <input
              type="checkbox"
              checked={purposes.includes(p.code)}
              onChange={(ev) => setPurposes((list) => toggle(list, p.code, ev.target.checked))}
            />{' '}
            {p.label}
          </label>
        ))}
      </fieldset>

      <ExceptionFields
        decision={decision}
        organizations={orgs}
        exceptions={exceptions}
        onChange={setExceptions}
      />

      <div className="field">
        <label htmlFor="consent-start">From</label>
        <input id="consent-start" type="date" value={start} onChange={(e) => setStart(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="consent-end">Until (leave empty for no end date)</label>
        <input id="consent-end" type="date" value={end} onChange={(e) => setEnd(e.target.value)} />
      </div>

      <fieldset>
        <legend>Signed by</legend>
        <label>
          <input
            type="radio"
            name="signer"
            checked={signer === 'person'}
            onChange={() => setSigner('person')}
          />{' '}
          The person
        </label>
        <label>
          <input
            type="radio"
            name="signer"
            checked={signer === 'representative'}
            onChange={() => setSigner('representative')}
          />{' '}
          A representative
        </label>
        {signer === 'representative' && (
          <>
            <div className="field">
              <label htmlFor="consent-rep-name">Representative&apos;s name</label>
              <input id="consent-rep-name" value={repName} onChange={(e) => setRepName(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="consent-rep-relationship">Relationship (guardian, conservator, …)</label>
              <input
                id="consent-rep-relationship"
                value={repRelationship}
                onChange={(e) => setRepRelationship(e.target.value)}
              />
            </div>
          </>
        )}
        <label>
          <input type="checkbox" checked={witnessed} onChange={(e) => setWitnessed(e.target.checked)} /> I
          witnessed the signature{user ? ` (${user.name})` : ''}
        </label>
      </fieldset>

      <div className="field">
        <label htmlFor="consent-file">Signed form (optional)</label>
        <input id="consent-file" type="file" onChange={(e) => setFile(e.target.files?.[0])} />
      </div>

      {problems.length > 0 && (
        <ul className="form-error" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {error !== undefined && <OutcomeAlert error={error} />}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? 'Recording…' : 'Record consent'}
        </button>
      </div>
    </form>
  );
}
