import { useEffect, useRef, useState, type FormEvent } from 'react';
import { signIn } from '../session/session';
import { useDocumentTitle } from '../ui/document-title';

/** The sign-in screen, shown instead of the app while nobody is signed in; the URL is kept. */
export function SignInPage({ notice }: { notice?: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  useDocumentTitle('Sign in');
  useEffect(() => usernameRef.current?.focus(), []);

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
      await signIn(username.trim(), password);
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
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
