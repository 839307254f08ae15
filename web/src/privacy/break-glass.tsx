import { useState, type FormEvent } from 'react';
import { breakGlass, endBreakGlass, useSessionUser } from '../session/session';

const time = (iso: string) =>
  new Date(iso).toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });

/**
 * Emergency access on a person's page, for staff of a HIPAA covered entity: they state the emergency,
 * and for a limited time see all of the person's data (consent restrictions included). The server
 * records the grant and every record opened with it.
 */
export function BreakGlass() {
  const user = useSessionUser();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!user?.coveredEntity) return null;
  if (user.breakGlass)
    return (
      <div className="alert alert-warning" role="status">
        <p>
          Emergency access until {time(user.breakGlass.until)}: {user.breakGlass.reason}. Everything you open
          is recorded with this reason.
        </p>
        <button type="button" className="button" onClick={() => void endBreakGlass()}>
          End emergency access now
        </button>
      </div>
    );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await breakGlass(reason.trim());
      setReason('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="panel break-glass">
      <summary>Emergency access (break the glass)</summary>
      <form onSubmit={submit} aria-label="Emergency access" noValidate>
        <p className="hint">
          For emergency treatment only. You will see all of this person&apos;s data, including what their
          consents restrict, for a limited time. Your reason and everything you open are recorded and
          reviewed.
        </p>
        <div className="field">
          <label htmlFor="break-glass-reason">Reason for emergency access</label>
          <textarea
            id="break-glass-reason"
            rows={2}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </div>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Opening…' : 'Open emergency access'}
        </button>
      </form>
    </details>
  );
}
