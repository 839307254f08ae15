import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  purposes as fetchPurposes,
  identityProvider,
  identityProviderStartUrl,
  SIGN_IN_ERROR_PARAM,
} from '../session/auth-api';
import { signIn } from '../session/session';
import { useDocumentTitle } from '../ui/document-title';

/** Takes the identity provider's refusal out of the URL (once read), keeping the rest of it. */
function takeProviderError(): { error?: string; returnTo: string } {
  const url = new URL(window.location.href);
  const error = url.searchParams.get(SIGN_IN_ERROR_PARAM) ?? undefined;
  if (error) {
    url.searchParams.delete(SIGN_IN_ERROR_PARAM);
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  }
  return { error, returnTo: `${url.pathname}${url.search}` };
}

/** The sign-in screen, shown instead of the app while nobody is signed in; the URL is kept. */
export function SignInPage({ notice }: { notice?: string }) {
  const [provider, setProvider] = useState<{ name: string }>();
  const [fromProvider] = useState(takeProviderError);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [purpose, setPurpose] = useState('');
  const [purposes, setPurposes] = useState<{ code: string; name: string }[]>([]);
  const [error, setError] = useState<string | undefined>(fromProvider.error);
  const [busy, setBusy] = useState(false);
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  useDocumentTitle('Sign in');
  useEffect(() => usernameRef.current?.focus(), []);
  useEffect(() => {
    let live = true;
    void fetchPurposes().then((list) => live && setPurposes(list));
    void identityProvider().then((p) => live && setProvider(p));
    return () => {
      live = false;
    };
  }, []);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError('Enter your username and password.');
      (username.trim() ? passwordRef : usernameRef).current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await signIn(username.trim(), password, purpose || undefined);
    } catch (err) {
      setError((err as Error).message);
      setPassword('');
      passwordRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in" tabIndex={-1}>
      <form className="panel sign-in-form" aria-labelledby="sign-in-heading" onSubmit={submit} noValidate>
        <p className="sign-in-brand">
          <span className="brand-mark" aria-hidden="true">
            K
          </span>{' '}
          Kith
        </p>
        <h1 id="sign-in-heading">Sign in</h1>
        {notice && !error && (
          <p className="alert alert-warning" role="status">
            {notice}
          </p>
        )}
        {error && (
          <div className="alert alert-error" role="alert">
            <p>{error}</p>
          </div>
        )}
        <div className="field">
          <label htmlFor="sign-in-username">Username</label>
          <input
            id="sign-in-username"
            ref={usernameRef}
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="sign-in-password">Password</label>
          <input
            id="sign-in-password"
            ref={passwordRef}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {purposes.length > 0 && (
          <div className="field">
            <label htmlFor="sign-in-purpose">Purpose of use</label>
            <select
              id="sign-in-purpose"
              aria-describedby="sign-in-purpose-hint"
              value={purpose}
              onChange={(e) => setPurpose(e.target.value)}
            >
              <option value="">My usual purpose</option>
              {purposes.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.name.charAt(0).toUpperCase() + p.name.slice(1)}
                </option>
              ))}
            </select>
            <p className="hint" id="sign-in-purpose-hint">
              Why you are opening records in this session. It is recorded with everything you see.
            </p>
          </div>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {provider && (
          <div className="sign-in-provider">
            <p className="sign-in-or">or</p>
            <button
              type="button"
              className="button"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                window.location.assign(identityProviderStartUrl(fromProvider.returnTo, purpose || undefined));
              }}
            >
              Sign in with {provider.name}
            </button>
          </div>
        )}
      </form>
    </main>
  );
}
