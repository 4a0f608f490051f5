/**
 * One outbound message: where it goes and for whom, the decision it carries, every attempt with its
 * status code, time and error, the exact body, and Replay for a delivered or dead message, asked
 * about first: the receiver gets the same `webhook-id` again.
 */
import { api } from '../api.js';
import { ErrorState, Loading, PageTitle, StatusBadge, useApi } from '../components.js';
import { DecisionChange, NextRetry } from '../deliveries-table.js';
import { millis, Time } from '../format.js';
import { JsonTree } from '../json-tree.js';
import { href } from '../router.js';
import { html, useRef, useState } from '../vendor/preact-htm.js';

function Field({ label, children, wide = false }) {
  return html`<div class=${wide ? 'field-row field-row-wide' : 'field-row'}><dt>${label}</dt><dd>${children}</dd></div>`;
}

function Attempts({ attempts }) {
  if (attempts.length === 0) return html`<p class="muted">Not tried yet.</p>`;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Attempts">
    <table class="attempts-table">
      <caption class="visually-hidden">Attempts, oldest first</caption>
      <thead><tr><th scope="col" class="num">Attempt</th><th scope="col">Started</th><th scope="col" class="num">Duration (ms)</th><th scope="col" class="num">Status code</th><th scope="col">Error</th></tr></thead>
      <tbody>
        ${attempts.map(
          (a, index) => html`<tr key=${index} data-testid="delivery-attempt">
            <td class="num">${a.attempt}</td>
            <td class="nowrap"><${Time} iso=${a.startedAt} /></td>
            <td class="num" title=${millis(a.durationMs)}>${a.durationMs ?? html`<span class="muted">${a.interrupted ? 'interrupted' : 'running'}</span>`}</td>
            <td class="num">${a.statusCode ?? html`<span class="muted">none</span>`}</td>
            <td>
              ${
                a.interrupted
                  ? html`<span class="error-text" data-testid="attempt-interrupted">Interrupted: the sender stopped (a crash or a kill) before an answer was recorded.</span>`
                  : a.error
                    ? html`<span class="error-text">${a.error}</span>`
                    : html`<span class="muted">—</span>`
              }
              ${
                (a.responseExcerpt !== null || a.requestHeaders) &&
                html`<details class="attempt-exchange">
                  <summary class="small">Request headers and answer</summary>
                  ${
                    a.requestHeaders &&
                    html`<pre class="wrap small" data-testid="attempt-headers">${Object.entries(
                      a.requestHeaders,
                    )
                      .map(([name, value]) => `${name}: ${value}`)
                      .join('\n')}</pre>`
                  }
                  ${a.responseExcerpt !== null && html`<p class="small muted">The answer's first KiB, as text:</p><pre class="wrap small" data-testid="attempt-answer">${a.responseExcerpt}</pre>`}
                </details>`
              }
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
    <p class="muted small">A replay starts the attempt count again; earlier attempts stay listed.</p>
  </div>`;
}

/** For a pending message waiting for its next retry: send it now (e.g. once the application is back). */
function SendNowButton({ delivery, onSent }) {
  const [state, setState] = useState({ busy: false, error: null });
  if (delivery.status !== 'pending') return null;
  const send = async () => {
    setState({ busy: true, error: null });
    try {
      await api(`/api/deliveries/${encodeURIComponent(delivery.id)}/send-now`, { method: 'POST' });
      setState({ busy: false, error: null });
      onSent();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`<div class="replay">
    <button type="button" class="button button-primary" onClick=${send} disabled=${state.busy} data-testid="send-now">${state.busy ? 'Sending…' : 'Send now'}</button>
    <span class="muted small">Sends it now instead of at its next retry; its attempt count is kept.</span>
    ${state.error && html`<p class="field-error" role="alert">${state.error.message}</p>`}
  </div>`;
}

function ReplayButton({ delivery, onReplayed }) {
  const [state, setState] = useState({ busy: false, error: null });
  const dialog = useRef(null);
  if (delivery.status !== 'delivered' && delivery.status !== 'dead') return null;
  const replay = async () => {
    setState({ busy: true, error: null });
    try {
      const answer = await api(`/api/deliveries/${encodeURIComponent(delivery.id)}/replay`, {
        method: 'POST',
      });
      dialog.current?.close();
      setState({ busy: false, error: null });
      onReplayed(answer.outcome);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const delivered = delivery.status === 'delivered';
  return html`<div class="replay">
    <button type="button" class="button button-primary" onClick=${() => dialog.current?.showModal()} disabled=${state.busy}>Replay</button>
    <span class="muted small">Sends the message again, with a fresh set of attempts and the same webhook-id.</span>
    <dialog ref=${dialog} class="dialog" aria-labelledby="replay-delivery-title" aria-describedby="replay-delivery-text">
      <h2 id="replay-delivery-title">${delivered ? 'Send a delivered message again?' : 'Send this dead message again?'}</h2>
      <p id="replay-delivery-text">
        ${
          delivered
            ? `${delivery.endpointId} already answered 2xx to ${delivery.id}. It is sent again with the same webhook-id: a receiver that dedupes on it ignores the copy, one that does not acts on the decision a second time.`
            : `${delivery.id} failed every attempt. It goes back in the queue and is sent to ${delivery.endpointId} with a fresh set of attempts (retried for about a day), with the same webhook-id.`
        }
      </p>
      ${state.error && html`<p class="field-error" role="alert">${state.error.message}</p>`}
      <div class="dialog-actions">
        <button type="button" class="button" onClick=${() => dialog.current?.close()}>Cancel</button>
        <button type="button" class="button button-primary" onClick=${replay} disabled=${state.busy}>
          ${state.busy ? 'Replaying…' : 'Send again'}
        </button>
      </div>
    </dialog>
  </div>`;
}

export function DeliveryDetail({ id }) {
  const { data: delivery, error, reload } = useApi(`/api/deliveries/${encodeURIComponent(id)}`);
  const endpoints = useApi('/api/endpoints');
  const [message, setMessage] = useState('');

  if (error) {
    return html`<${PageTitle} title="Message">Message ${id}<//>
      ${
        error.status === 404
          ? html`<div class="state state-empty" role="alert"><p><strong>No message ${id}.</strong></p><p>Check the id, or find the message on the <a href=${href(['deliveries'])}>deliveries page</a>.</p></div>`
          : html`<${ErrorState} error=${error} retry=${reload} />`
      }`;
  }
  if (!delivery) return html`<${PageTitle} title="Message">Message<//><${Loading} />`;
  const endpoint = endpoints.data?.endpoints.find((e) => e.id === delivery.endpointId);

  return html`
    <p class="breadcrumb"><a href=${href(['deliveries'])}>← Deliveries</a></p>
    <div class="page-head">
      <${PageTitle} title=${`Message ${delivery.id}`}><span class="mono">${delivery.id}</span> <${StatusBadge} status=${delivery.status} /><//>
    </div>
    <${ReplayButton}
      delivery=${delivery}
      onReplayed=${(outcome) => {
        setMessage(
          outcome === 'replayed'
            ? 'Replayed: queued to be sent again.'
            : 'Already queued: it is sent without a replay.',
        );
        reload();
      }}
    />
    <${SendNowButton}
      delivery=${delivery}
      onSent=${() => {
        setMessage('Due now: the service sends it within a second.');
        reload();
      }}
    />
    <p class="live" role="status" aria-live="polite" data-testid="replay-status">${message}</p>

    <section class="card">
      <h2>Message</h2>
      <dl class="fields">
        <${Field} label="Message id (webhook-id)"><span class="mono">${delivery.id}</span><//>
        <${Field} label="Status"><span data-testid="delivery-status"><${StatusBadge} status=${delivery.status} /></span><//>
        <${Field} label="Endpoint">
          <a class="mono" href=${href(['deliveries'], { endpointId: delivery.endpointId })}>${delivery.endpointId}</a>
          ${endpoint && html`<span class="mono small muted block">${endpoint.url}</span>`}
        <//>
        <${Field} label="User (reference id)"><a class="mono" href=${href(['users', delivery.referenceId])}>${delivery.referenceId}</a><//>
        <${Field} label="Decision"><${DecisionChange} delivery=${delivery} /><//>
        <${Field} label="Attempts">${delivery.attempts}<//>
        <${Field} label="Created"><${Time} iso=${delivery.createdAt} /><//>
        <${Field} label="Next retry"><span data-testid="delivery-next-retry"><${NextRetry} delivery=${delivery} /></span><//>
        <${Field} label="Delivered"><${Time} iso=${delivery.deliveredAt} /><//>
        <${Field} label="Last status code">${delivery.lastStatusCode ?? html`<span class="muted">—</span>`}<//>
        ${delivery.lastError && html`<${Field} label="Last error" wide=${true}><span class="error-text">${delivery.lastError}</span><//>`}
      </dl>
    </section>

    <section class="card">
      <h2>Attempts</h2>
      <${Attempts} attempts=${delivery.attemptLog} />
    </section>

    <section class="card">
      <h2>Payload</h2>
      <details class="payload" open>
        <summary>Body <span class="muted small">(the exact JSON sent and signed; no Persona payload, no personal data)</span></summary>
        <${JsonTree} value=${delivery.payload} />
      </details>
    </section>
  `;
}
