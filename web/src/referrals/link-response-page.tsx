import type { OperationOutcome } from '@medplum/fhirtypes';
import { useEffect, useState, type FormEvent } from 'react';
import { formatDate } from '../fhir/format';
import { statusLabel, statusTone } from '../fhir/values';
import { useDocumentTitle } from '../ui/document-title';
import { ACTION } from './referral-actions';
import { businessStatusesFor, type ReferralStatus } from './workflow';
import './referrals.css';

/** What `GET /referral-link/:token` shows a receiving organization: the minimum the referral needs. */
interface LinkView {
  task: {
    status: ReferralStatus;
    businessStatus?: string;
    authoredOn?: string;
    requester?: string;
    owner?: string;
    allowedNext: ReferralStatus[];
  };
  referral?: { category: string[]; service?: string; reason: string[]; note: string[] };
  client: { name?: string; birthDate?: string; phone?: string[]; preferredLanguage?: string };
  expires: string;
}

/** The token from the page's fragment (`/referral-response#<token>`), where the server's redirect put it. */
export function linkToken(hash: string): string | undefined {
  const t = decodeURIComponent(hash.replace(/^#/, ''));
  return /^[A-Za-z0-9-]+\.\d+\.[A-Za-z0-9_-]+$/.test(t) ? t : undefined;
}

async function call(token: string, body?: unknown): Promise<LinkView> {
  const res = await fetch(`/referral-link/${encodeURIComponent(token)}`, {
    method: body ? 'POST' : 'GET',
    headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    credentials: 'omit',
  });
  if (res.ok) return res.json();
  let text = `The server answered ${res.status}.`;
  try {
    const o = (await res.json()) as OperationOutcome;
    text = (o.issue ?? []).map((i) => i.diagnostics ?? i.details?.text).join(' ') || text;
  } catch {
    // not an OperationOutcome
  }
  throw new Error(text);
}

/**
 * The page a receiving organization without a Kith account opens from a signed referral link:
 * the client and the request (no more), and the moves the receiver may make, judged by the server
 * through the same rules as for signed-in users.
 */
export function ReferralResponsePage() {
  useDocumentTitle('Referral');
  const [token] = useState(() => linkToken(window.location.hash));
  const [view, setView] = useState<LinkView>();
  const [error, setError] = useState<string>();
  const [chosen, setChosen] = useState<ReferralStatus>();
  const [form, setForm] = useState({ statusReason: '', outcome: '', businessStatus: '', note: '' });
  const [saved, setSaved] = useState<string>();
  useEffect(() => {
    if (!token)
      return setError('This referral link is not complete. Open the link exactly as you received it.');
    call(token).then(setView, (e: Error) => setError(e.message));
  }, [token]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!token || !chosen) return;
    if (chosen === 'rejected' && !form.statusReason.trim()) return setError('Give the reason for rejecting.');
    if (chosen === 'completed' && !form.outcome.trim()) return setError('Say what was done (the outcome).');
    setError(undefined);
    try {
      const next = await call(token, { status: chosen, ...form });
      setView(next);
      setSaved(`Saved: ${statusLabel(next.task.status)}`);
      setChosen(undefined);
      setForm({ statusReason: '', outcome: '', businessStatus: '', note: '' });
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <main id="main" className="public-page">
      <p className="public-brand">Kith · referral</p>
      <h1 tabIndex={-1}>Referral{view?.task.owner ? ` for ${view.task.owner}` : ''}</h1>
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      {!view && !error && (
        <p className="loading" role="status">
          Loading the referral…
        </p>
      )}
      {view && (
        <>
          <section className="panel referral-summary" aria-label="Referral details">
            <p className="referral-status">
              <span className={`badge tone-${statusTone(view.task.status)}`} data-testid="referral-status">
                {statusLabel(view.task.status)}
              </span>
              {view.task.businessStatus && <span className="muted"> {view.task.businessStatus}</span>}
            </p>
            <dl className="facts-grid">
              <div>
                <dt>Client</dt>
                <dd>
                  {view.client.name ?? 'Not named'}
                  {view.client.birthDate && (
                    <span className="muted"> · born {formatDate(view.client.birthDate)}</span>
                  )}
                </dd>
              </div>
              {!!view.client.phone?.length && (
                <div>
                  <dt>Phone</dt>
                  <dd>{view.client.phone.join(', ')}</dd>
                </div>
              )}
              {view.client.preferredLanguage && (
                <div>
                  <dt>Language</dt>
                  <dd>{view.client.preferredLanguage}</dd>
                </div>
              )}
              <div>
                <dt>Need</dt>
                <dd>{view.referral?.category.join(', ') || 'Not given'}</dd>
              </div>
              <div>
                <dt>Service</dt>
                <dd>{view.referral?.service ?? 'Not given'}</dd>
              </div>
              <div>
                <dt>Reason</dt>
                <dd>{view.referral?.reason.join('; ') || 'Not given'}</dd>
              </div>
              <div>
                <dt>From</dt>
                <dd>{view.task.requester ?? 'Not named'}</dd>
              </div>
              <div>
                <dt>Sent</dt>
                <dd>{formatDate(view.task.authoredOn) ?? 'Not given'}</dd>
              </div>
            </dl>
            <p className="muted small">This link works until {formatDate(view.expires)}.</p>
          </section>
          <section className="panel" aria-labelledby="link-update-heading">
            <h2 id="link-update-heading">Update</h2>
            {saved && (
              <p role="status" className="saved">
                {saved}
              </p>
            )}
            {view.task.allowedNext.length === 0 ? (
              <p>This referral is closed.</p>
            ) : (
              <form onSubmit={submit} noValidate>
                <div role="group" aria-label="Change the status" className="toolbar-links">
                  {view.task.allowedNext.map((s) => (
                    <button
                      key={s}
                      type="button"
                      className={chosen === s ? 'button primary' : 'button'}
                      aria-pressed={chosen === s}
                      onClick={() => setChosen(s)}
                    >
                      {ACTION[s]}
                    </button>
                  ))}
                </div>
                {chosen && (
                  <>
                    {chosen === 'rejected' && (
                      <div className="field">
                        <label htmlFor="link-reason">Reason</label>
                        <input
                          id="link-reason"
                          value={form.statusReason}
                          onChange={(e) => setForm({ ...form, statusReason: e.target.value })}
                        />
                      </div>
                    )}
                    {chosen === 'completed' && (
                      <div className="field">
                        <label htmlFor="link-outcome">Outcome (what was done)</label>
                        <input
                          id="link-outcome"
                          value={form.outcome}
                          onChange={(e) => setForm({ ...form, outcome: e.target.value })}
                        />
                      </div>
                    )}
                    {businessStatusesFor(chosen).length > 0 && (
                      <div className="field">
                        <label htmlFor="link-business">Detail</label>
                        <select
                          id="link-business"
                          value={form.businessStatus}
                          onChange={(e) => setForm({ ...form, businessStatus: e.target.value })}
                        >
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
                      <label htmlFor="link-note">Note</label>
                      <textarea
                        id="link-note"
                        value={form.note}
                        onChange={(e) => setForm({ ...form, note: e.target.value })}
                      />
                    </div>
                    <button type="submit" className="button primary">
                      Confirm: {ACTION[chosen]}
                    </button>
                  </>
                )}
              </form>
            )}
          </section>
        </>
      )}
    </main>
  );
}
