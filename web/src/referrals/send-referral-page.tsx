import type {
  Bundle,
  CodeableConcept,
  Condition,
  HealthcareService,
  Observation,
  Organization,
  Patient,
} from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { formatDate, formatName } from '../fhir/format';
import { kithFhir } from '../fhir/kith';
import { kithRoot } from './api';
import { Link } from '../router/link';
import { navigate, useLocation, withQuery } from '../router/router';
import { useDocumentTitle } from '../ui/document-title';
import { OutcomeAlert } from '../ui/outcome-alert';
import { useLoad } from '../ui/use-load';
import { useActingOrganization } from './acting-org';
import { OrgPicker } from './org-picker';
import { createdTaskId, referralTransaction } from './referral-bundle';
import { SDOH_CATEGORIES } from './sdoh';

/** Loads the chosen service and its organization (the receiver). */
async function loadService(id: string, signal: AbortSignal) {
  const service = await kithFhir.read<HealthcareService>('HealthcareService', id, signal);
  const ref = service.providedBy?.reference;
  const m = ref ? /^Organization\/([^/]+)$/.exec(ref) : null;
  const org = m ? await kithFhir.read<Organization>('Organization', m[1], signal) : undefined;
  return { service, org };
}

const conceptText = (c: CodeableConcept | undefined): string | undefined =>
  c?.text ?? c?.coding?.[0]?.display ?? c?.coding?.[0]?.code;

/** How a health concern reads in the form and as the reason's display. */
export function concernText(c: Condition): string {
  return conceptText(c.code) ?? 'Health concern';
}

/** How an SDOH assessment finding reads: what was assessed, and the answer when coded. */
export function findingText(o: Observation): string {
  const value = conceptText(o.valueCodeableConcept);
  return `${conceptText(o.code) ?? 'Assessment finding'}${value ? `: ${value}` : ''}`;
}

/**
 * The person's assessed needs a referral may name as its reason: active health concerns (Condition)
 * and SDOH assessment findings (Observation, category sdoh).
 */
async function loadNeeds(patientId: string, signal: AbortSignal) {
  const subject = `Patient/${patientId}`;
  const [conditions, findings] = await Promise.all([
    kithFhir.search<Condition>('Condition', { subject, 'clinical-status': 'active', _count: 50 }, signal),
    kithFhir
      .search<Observation>('Observation', { subject, category: 'sdoh', _count: 50 }, signal)
      .catch(() => undefined),
  ]);
  const of = <T extends Condition | Observation>(b: Bundle<T> | undefined): (T & { id: string })[] =>
    (b?.entry ?? []).map((e) => e.resource).filter((r): r is T & { id: string } => !!r?.id);
  return [
    ...of(conditions).map((c) => ({ reference: `Condition/${c.id}`, text: concernText(c) })),
    ...of(findings).map((o) => ({ reference: `Observation/${o.id}`, text: findingText(o) })),
  ];
}

/** Send a referral: the person, the service (from the directory), SDOH category, reason and consent. */
export function SendReferralPage() {
  const { query } = useLocation();
  const serviceId = query.get('service') ?? '';
  const patientId = query.get('patient') ?? '';
  useDocumentTitle('Send a referral');
  const acting = useActingOrganization();
  const service = useLoad(serviceId || undefined, (signal) => loadService(serviceId, signal));
  const patient = useLoad(patientId || undefined, (signal) =>
    kithFhir.read<Patient>('Patient', patientId, signal),
  );
  const [category, setCategory] = useState('');
  // The person's health concerns and SDOH findings, any of which the referral may name as its reason.
  const needs = useLoad(patientId || undefined, (signal) => loadNeeds(patientId, signal));
  const conditions = needs.status === 'done' ? needs.data : [];
  const [chosenConcerns, setChosenConcerns] = useState<string[]>([]);
  const [reason, setReason] = useState('');
  const [consent, setConsent] = useState(false);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string>();
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    const missing = [
      !acting && 'your organization (Working for)',
      patient.status !== 'done' && 'the person',
      service.status !== 'done' && 'the service',
      !category && 'the need (SDOH category)',
      !reason.trim() && !chosenConcerns.length && 'the reason (in words or a health concern)',
      !consent && "the person's consent",
    ].filter(Boolean);
    if (missing.length) {
      setProblem(`Before sending, give ${missing.join(', ')}.`);
      return;
    }
    if (service.status !== 'done' || patient.status !== 'done' || !acting) return;
    const owner = service.data.service.providedBy;
    if (!owner?.reference) {
      setProblem('This service names no organization to receive the referral.');
      return;
    }
    setProblem(undefined);
    const draft = {
      patient: `Patient/${patient.data.id}`,
      patientName: formatName(patient.data.name),
      service: service.data.service,
      owner: { reference: owner.reference, display: service.data.org?.name ?? owner.display },
      requester: { reference: acting.reference, display: acting.name },
      category,
      reason: reason.trim(),
      reasons: conditions
        .filter((c) => chosenConcerns.includes(c.reference))
        .map((c) => ({ reference: c.reference, display: c.text })),
      consent,
      note: note.trim() || undefined,
    };
    setSending(true);
    try {
      const response = await kithRoot.request<Bundle>('fhir', {
        method: 'POST',
        body: JSON.stringify(referralTransaction(draft)),
      });
      const id = createdTaskId(response, draft);
      navigate(id ? `/referrals/Task/${id}` : '/referrals?box=sent');
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="page">
      <p className="back">
        <Link to="/referrals">← Referrals</Link>
      </p>
      <h1 tabIndex={-1}>Send a referral</h1>
      <form className="panel referral-form" onSubmit={submit} noValidate aria-label="Referral">
        <OrgPicker />
        <div className="field">
          <span className="field-label">Person</span>
          {patientId ? (
            patient.status === 'done' ? (
              <p className="chosen">
                <strong>{formatName(patient.data.name) ?? 'Unnamed person'}</strong>
                {patient.data.birthDate && <> · born {formatDate(patient.data.birthDate)}</>}{' '}
                <Link to={withQuery('/referrals/new', { service: serviceId || undefined })}>Change</Link>
              </p>
            ) : patient.status === 'error' ? (
              <OutcomeAlert error={patient.error} />
            ) : (
              <p className="loading">Loading…</p>
            )
          ) : (
            <PersonChooser
              onChoose={(id) =>
                navigate(withQuery('/referrals/new', { service: serviceId || undefined, patient: id }), {
                  replace: true,
                })
              }
            />
          )}
        </div>
        <div className="field">
          <span className="field-label">Service</span>
          {serviceId ? (
            service.status === 'done' ? (
              <p className="chosen">
                <strong>{service.data.service.name ?? 'Unnamed service'}</strong>
                {service.data.org?.name && <> · {service.data.org.name}</>}{' '}
                <Link to={withQuery('/directory', { for: patientId || undefined })}>Change</Link>
              </p>
            ) : service.status === 'error' ? (
              <OutcomeAlert error={service.error} />
            ) : (
              <p className="loading">Loading…</p>
            )
          ) : (
            <p>
              <Link to={withQuery('/directory', { for: patientId || undefined, accepts: '1' })}>
                Find a service in the directory
              </Link>
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="referral-category">Need (SDOH category)</label>
          <select id="referral-category" value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">Choose…</option>
            {SDOH_CATEGORIES.map((c) => (
              <option key={c.code} value={c.code}>
                {c.display}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="referral-reason">Reason</label>
          <textarea
            id="referral-reason"
            rows={3}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            aria-describedby="referral-reason-hint"
          />
          <p className="hint" id="referral-reason-hint">
            The assessed need, as the receiving organization should read it
          </p>
        </div>
        {!!conditions.length && (
          <fieldset className="field checks referral-concerns">
            <legend>Health concerns and assessed needs this referral is for</legend>
            {conditions.map((c) => (
              <label key={c.reference}>
                <input
                  type="checkbox"
                  checked={chosenConcerns.includes(c.reference)}
                  onChange={(e) =>
                    setChosenConcerns((xs) =>
                      e.target.checked ? [...xs, c.reference] : xs.filter((x) => x !== c.reference),
                    )
                  }
                />{' '}
                {c.text}
              </label>
            ))}
            <p className="hint">The concerns you tick are shared with the receiving organization.</p>
          </fieldset>
        )}
        <div className="field">
          <label htmlFor="referral-note">Note to the receiving organization (optional)</label>
          <textarea id="referral-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        <div className="field checks">
          <label>
            <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} /> The
            person agreed to share this referral with the receiving organization
          </label>
          <p className="hint">
            Only the referral itself (the request, its task and the concerns ticked above) is shared with
            them.
          </p>
        </div>
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={sending}>
            {sending ? 'Sending…' : 'Send referral'}
          </button>
        </div>
        {problem && (
          <p className="form-error" role="alert">
            {problem}
          </p>
        )}
      </form>
      {!!error && <OutcomeAlert error={error} />}
    </div>
  );
}

/** Find the person by name and choose them. */
function PersonChooser({ onChoose }: { onChoose: (id: string) => void }) {
  const [name, setName] = useState('');
  const [asked, setAsked] = useState<string>();
  const found = useLoad(asked, (signal) =>
    kithFhir.search<Patient>('Patient', { name: asked, _count: 10 }, signal),
  );
  return (
    <div className="person-chooser">
      <div className="inline-search">
        <input
          aria-label="Person's name"
          type="search"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              setAsked(name.trim() || undefined);
            }
          }}
        />
        <button type="button" className="button" onClick={() => setAsked(name.trim() || undefined)}>
          Find person
        </button>
      </div>
      {found.status === 'error' && <OutcomeAlert error={found.error} />}
      {found.status === 'done' && (
        <ul className="choices">
          {(found.data.entry ?? [])
            .map((e) => e.resource)
            .filter((p): p is Patient => !!p?.id)
            .map((p) => (
              <li key={p.id}>
                <button type="button" className="link-button" onClick={() => onChoose(p.id!)}>
                  {formatName(p.name) ?? 'Unnamed person'}
                </button>
                {p.birthDate && <span className="muted"> · born {formatDate(p.birthDate)}</span>}
              </li>
            ))}
          {!found.data.entry?.length && <li className="muted">Nobody by that name.</li>}
        </ul>
      )}
    </div>
  );
}
