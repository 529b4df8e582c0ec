// Asks for a bearer token when the apiserver answers 401, checks it with one list before keeping it, and says so
// when the server refuses it. The token lives in sessionStorage: this tab, until it closes.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api/api.ts';
import { forgetPermissions } from '../api/can-i.ts';
import { session } from '../api/session.ts';
import { restartAll } from '../api/use-list-watch.ts';

export function TokenPrompt({ refused, done }: { refused: boolean; done(): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(refused ? 'The apiserver refused the token (401 Unauthorized).' : '');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    session.setToken(token.trim());
    try {
      await api('/api/v1/namespaces?limit=1');
      forgetPermissions();
      restartAll();
      done();
    } catch (err) {
      session.clear();
      setError(err instanceof ApiError ? `The apiserver refused the token (${err.code}: ${err.message}).` : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="overlay">
      <form class="dialog" aria-label="sign in" onSubmit={submit}>
        <h2>Sign in</h2>
        <p>This cluster requires a bearer token (a line of the apiserver's --token-auth-file).</p>
        <label>Token <input type="password" name="token" autoComplete="off" autoFocus value={token}
          onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)} /></label>
        {error && <p class="error" role="alert" data-testid="token-error">{error}</p>}
        <div class="buttons"><button type="submit" class="primary" disabled={busy || !token.trim()}>Sign in</button></div>
      </form>
    </div>
  );
}
