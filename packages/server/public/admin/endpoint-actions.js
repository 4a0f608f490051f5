/**
 * What can be done to one endpoint from the Deliveries page: send it a signed test message and see how
 * it answered, and — once an application is back — send again every failed or dead message since a
 * time (asked first: the application receives those messages again, same webhook-ids).
 */
import { api } from './api.js';
import { html, useRef, useState } from './vendor/preact-htm.js';

/** `yyyy-mm-ddThh:mm` in local time, as a datetime-local input takes it. */
function localInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function TestButton({ endpoint }) {
  const [state, setState] = useState({ busy: false, result: null, error: null });
  const test = async () => {
    setState({ busy: true, result: null, error: null });
    try {
      const result = await api(`/api/endpoints/${encodeURIComponent(endpoint.id)}/test`, { method: 'POST' });
      setState({ busy: false, result, error: null });
    } catch (error) {
      setState({ busy: false, result: null, error });
    }
  };
  const { result } = state;
  return html`<span class="endpoint-action">
    <button type="button" class="button" onClick=${test} disabled=${state.busy} data-testid="endpoint-test">
      ${state.busy ? 'Sending…' : 'Send test'}
    </button>
    <span role="status" aria-live="polite" class="small" data-testid="endpoint-test-result">
      ${state.error && html`<span class="error-text">${state.error.message}</span>`}
      ${
        result &&
        html`<span class=${result.ok ? '' : 'error-text'}>${[result.ok ? 'Answered' : 'Failed:', result.statusCode, result.error].filter((part) => part !== null && part !== '').join(' ')} in ${result.durationMs} ms</span>
        ${result.responseExcerpt && html`<pre class="wrap small">${result.responseExcerpt}</pre>`}`
      }
    </span>
  </span>`;
}

export function RecoverButton({ endpoint, onRecovered }) {
  const dialog = useRef(null);
  const [since, setSince] = useState(() => localInput(Date.now() - 24 * 60 * 60 * 1000));
  const [state, setState] = useState({ busy: false, error: null, message: '' });
  const titleId = `recover-title-${endpoint.id}`;
  const recover = async () => {
    setState({ busy: true, error: null, message: '' });
    try {
      const answer = await api(`/api/endpoints/${encodeURIComponent(endpoint.id)}/recover`, {
        method: 'POST',
        body: { since: new Date(since).toISOString() },
      });
      dialog.current?.close();
      setState({
        busy: false,
        error: null,
        message: `Recovered ${answer.recovered} message(s): sent again now.`,
      });
      onRecovered();
    } catch (error) {
      setState({ busy: false, error, message: '' });
    }
  };
  return html`<span class="endpoint-action">
    <button type="button" class="button" onClick=${() => dialog.current?.showModal()} data-testid="endpoint-recover">Send failed again…</button>
    <span role="status" aria-live="polite" class="small" data-testid="endpoint-recover-result">${state.message}</span>
    <dialog ref=${dialog} class="dialog" aria-labelledby=${titleId}>
      <h2 id=${titleId}>Send ${endpoint.id}'s failed messages again?</h2>
      <p>Every dead message, and every one waiting for a retry, created since this time is sent again now, with the same webhook-id: do it once the application answers again.</p>
      <div class="field">
        <label for=${`recover-since-${endpoint.id}`}>Since</label>
        <input id=${`recover-since-${endpoint.id}`} type="datetime-local" value=${since} onInput=${(e) => setSince(e.currentTarget.value)} />
      </div>
      ${state.error && html`<p class="field-error" role="alert">${state.error.message}</p>`}
      <div class="dialog-actions">
        <button type="button" class="button" onClick=${() => dialog.current?.close()}>Cancel</button>
        <button type="button" class="button button-primary" onClick=${recover} disabled=${state.busy}>${state.busy ? 'Sending…' : 'Send again'}</button>
      </div>
    </dialog>
  </span>`;
}
