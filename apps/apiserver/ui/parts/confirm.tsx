// The one confirmation dialog every action goes through: a question, an optional input (replicas to scale to), and
// the server's answer shown in place if the request fails.
import { render, type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../api/api.ts';

export interface ConfirmOptions {
  title: string;
  body?: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  /** Asks for a number first (scale). */
  input?: { label: string; value: string };
  run(value: string): Promise<unknown>;
}

function Dialog({ opts, close }: { opts: ConfirmOptions; close(): void }) {
  const [value, setValue] = useState(opts.input?.value ?? '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await opts.run(value);
      close();
    } catch (err) {
      setError(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
      setBusy(false);
    }
  };
  return (
    <div class="overlay" onClick={(e) => { if (e.target === e.currentTarget) close(); }}>
      <form class="dialog" aria-label={opts.title} onSubmit={submit}>
        <h2>{opts.title}</h2>
        {opts.body && <div class="dialog-body">{opts.body}</div>}
        {opts.input && (
          <label>{opts.input.label} <input name="value" value={value} inputMode="numeric" autoFocus
            onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} /></label>
        )}
        {error && <p class="error" role="alert">{error}</p>}
        <div class="buttons">
          <button type="button" onClick={close}>Cancel</button>
          <button type="submit" class={opts.danger ? 'danger' : 'primary'} disabled={busy}>{opts.confirmLabel}</button>
        </div>
      </form>
    </div>
  );
}

/** Opens the dialog above everything else. */
export function confirm(opts: ConfirmOptions): void {
  const host = document.createElement('div');
  document.body.appendChild(host);
  const close = () => { render(null, host); host.remove(); };
  render(<Dialog opts={opts} close={close} />, host);
}
