import type { Consent } from '@medplum/fhirtypes';
import { useState } from 'react';
import { kithFhir } from '../fhir/kith';
import { OutcomeAlert } from '../ui/outcome-alert';
import { revokedConsent } from './consent-resource';
import { summarizeConsent, type ConsentState, type ProvisionSummary } from './consent-summary';

const TONE: Record<ConsentState, string> = {
  active: 'tone-active',
  revoked: 'tone-stopped',
  expired: 'tone-done',
  'not-yet': 'tone-pending',
  other: 'tone-neutral',
};

const sentence = (p: ProvisionSummary) =>
  `${p.decision} sharing ${p.data} with ${p.recipients}, for ${p.purposes.toLowerCase()}`;

/** Revokes a consent: the stored version with status inactive (read first, so nothing else changes). */
async function revoke(id: string): Promise<void> {
  const stored = await kithFhir.read<Consent>('Consent', id);
  await kithFhir.request<Consent>(`Consent/${encodeURIComponent(id)}`, {
    method: 'PUT',
    body: JSON.stringify(revokedConsent(stored)),
  });
}

/** The person's consents, newest first, each in words, with revoke for those in force. */
export function ConsentList({ consents, onChanged }: { consents: Consent[]; onChanged: () => void }) {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  if (!consents.length)
    return (
      <p className="panel muted" role="status">
        No consent is recorded for this person (that you may see).
      </p>
    );
  const sorted = [...consents].sort((a, b) => (b.dateTime ?? '').localeCompare(a.dateTime ?? ''));
  const onRevoke = async (id: string): Promise<void> => {
    setBusy(id);
    setError(undefined);
    try {
      await revoke(id);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <>
      {error !== undefined && <OutcomeAlert error={error} />}
      <ul className="summary-list consent-list" aria-label="Consents">
        {sorted.map((c) => {
          const s = summarizeConsent(c);
          return (
            <li key={c.id}>
              <article className="summary">
                <div className="summary-head">
                  <h3>{sentence(s.provision)}</h3>
                  <span className={`badge ${TONE[s.state]}`}>{s.stateText}</span>
                </div>
                <dl className="facts">
                  {s.exceptions.map((x, i) => (
                    <div key={i}>
                      <dt>Except</dt>
                      <dd>{sentence(x)}</dd>
                    </div>
                  ))}
                  <div>
                    <dt>Period</dt>
                    <dd>{s.period}</dd>
                  </div>
                  {s.signedBy && (
                    <div>
                      <dt>Signed by</dt>
                      <dd>{s.signedBy}</dd>
                    </div>
                  )}
                  {s.witness && (
                    <div>
                      <dt>Witness</dt>
                      <dd>{s.witness}</dd>
                    </div>
                  )}
                  {(s.recorded || s.recordedBy) && (
                    <div>
                      <dt>Recorded</dt>
                      <dd>{[s.recorded, s.recordedBy].filter(Boolean).join(' by ')}</dd>
                    </div>
                  )}
                  {s.attachment && (
                    <div>
                      <dt>Signed form</dt>
                      <dd>
                        {s.attachment.href ? (
                          <a href={s.attachment.href} download={s.attachment.title}>
                            {s.attachment.title}
                          </a>
                        ) : (
                          s.attachment.title
                        )}
                      </dd>
                    </div>
                  )}
                </dl>
                {c.id && s.state !== 'revoked' && s.state !== 'other' && (
                  <button
                    type="button"
                    className="button"
                    disabled={busy !== undefined}
                    onClick={() => void onRevoke(c.id as string)}
                  >
                    {busy === c.id ? 'Revoking…' : 'Revoke'}
                    <span className="visually-hidden"> this consent</span>
                  </button>
                )}
              </article>
            </li>
          );
        })}
      </ul>
    </>
  );
}
