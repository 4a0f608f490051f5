/** The sign-in form: exchanges the ADMIN_TOKEN for the session cookie (the token is never stored here). */
import { api } from '../api.js';
import { html, useEffect, useRef, useState } from '../vendor/preact-htm.js';

export function SignIn({ onSignedIn, notice }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const input = useRef(null);
  useEffect(() => {
    document.title = 'Sign in · Persona webhooks';
    input.current?.focus();
  }, []);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // The field's own value: a submit can arrive before the re-render for the last keystroke.
      const typed = input.current?.value ?? token;
      const session = await api('/admin/session', { method: 'POST', body: { token: typed } });
      setToken('');
      onSignedIn(session);
    } catch (failure) {
      setError(
        failure.code === 'unauthorized'
          ? 'That token is not the ADMIN_TOKEN this service runs with. Check for a missing character, or copy it again from where the service was started.'
          : failure.message,
      );
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return html`<main id="content" class="sign-in">
    <form class="card sign-in-card" onSubmit=${submit} aria-describedby="sign-in-help">
      <h1>Persona webhooks</h1>
      <p class="muted">Admin dashboard</p>
      ${notice && html`<p class="notice" role="status">${notice}</p>`}
      <label for="token">Admin token</label>
      <input
        id="token"
        ref=${input}
        type="password"
        name="token"
        autocomplete="current-password"
        required
        value=${token}
        onInput=${(e) => setToken(e.currentTarget.value)}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${error ? 'sign-in-error' : undefined}
      />
      ${error && html`<p id="sign-in-error" class="field-error" role="alert">${error}</p>`}
      <button type="submit" class="button button-primary" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      <p id="sign-in-help" class="muted small">
        The token is the service's <code>ADMIN_TOKEN</code>. If none was set, the service generated one and printed it
        once when it started. Signing in keeps you signed in on this browser for a few hours.
      </p>
    </form>
  </main>`;
}
