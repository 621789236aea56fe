/** The sign-in page (auth on): user and password, checked by one REST v2 call. */
import { useState } from 'preact/hooks';
import { ApiError, errorText, signIn, signOut } from './api.js';
import { databaseNames } from './model.js';

export function SignIn(props: { onSignedIn: (dbs: string[]) => void }) {
  const [user, setUser] = useState('root');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    signIn(user, password);
    try {
      props.onSignedIn(await databaseNames());
    } catch (err) {
      signOut();
      setError(err instanceof ApiError && err.unauthenticated ? 'Wrong user name or password.' : errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form class="panel" onSubmit={(e) => { void submit(e); }} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Sextant</h1>
        <label>User <input id="signin-user" autocomplete="username" value={user} onInput={(e) => setUser(e.currentTarget.value)} required /></label>
        <label>Password <input id="signin-password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
        {error !== '' && <p role="alert" class="error" id="signin-error">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>Sign in</button>
      </form>
    </main>
  );
}
