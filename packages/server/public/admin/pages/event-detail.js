/**
 * One event: its envelope, every handler attempt with its error and timing, the payload (collapsible,
 * or why it is gone), and Replay for a done or dead event, followed until it settles.
 */
import { api } from '../api.js';
import { ErrorState, Loading, PageTitle, SourceBadge, StatusBadge, useApi } from '../components.js';
import { millis, Time } from '../format.js';
import { JsonTree } from '../json-tree.js';
import { href } from '../router.js';
import { html, useEffect, useRef, useState } from '../vendor/preact-htm.js';

const FOLLOW_MS = 1_000;
const FOLLOW_FOR_MS = 60_000;

function Field({ label, children, wide = false }) {
  return html`<div class=${wide ? 'field-row field-row-wide' : 'field-row'}><dt>${label}</dt><dd>${children}</dd></div>`;
}

/** `first` for the original delivery's attempts, `replay 1`, `replay 2`… for each replay's. */
const runLabel = (run) => (run === 1 ? 'first' : `replay ${run - 1}`);

function Attempts({ attempts }) {
  if (attempts.length === 0) return html`<p class="muted">No handler has run this event yet.</p>`;
  const replays = attempts.filter((a) => a.replayed).length;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Attempts">
    <table>
      <caption class="visually-hidden">Handler attempts, oldest first</caption>
      <thead><tr><th scope="col">#</th><th scope="col">Run</th><th scope="col">Attempt</th><th scope="col">Started</th><th scope="col">Took</th><th scope="col">Outcome</th><th scope="col">Error</th></tr></thead>
      <tbody>
        ${attempts.map(
          (a) => html`<tr key=${a.number} class=${a.replayed ? 'attempt-replayed' : ''} data-testid="attempt">
            <td class="num">${a.number}</td>
            <td>
              ${runLabel(a.run)}
              ${a.replayed && html`<span class="replay-marker" data-testid="replay-marker">↻ replayed: this run started <${Time} iso=${a.startedAt} /></span>`}
            </td>
            <td class="num">${a.attempt}</td>
            <td class="nowrap"><${Time} iso=${a.startedAt} /></td>
            <td class="num nowrap">${millis(a.durationMs)}</td>
            <td>${a.outcome ? html`<${StatusBadge} status=${a.outcome} />` : html`<span class="muted">running</span>`}</td>
            <td>${a.error ? html`<pre class="error-text wrap">${a.error}</pre>` : html`<span class="muted">—</span>`}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${replays > 0 && html`<p class="muted small">A replay restarts the attempt count (a fresh set of retries); # counts every run of the handlers.</p>`}
  </div>`;
}

/** What the stored payload is: the signed webhook body, or what Persona's Events API returned for it. */
function payloadLabel(event) {
  return event.source === 'api'
    ? "(as Persona's Events API returned it when this event was recovered: not a signed webhook body)"
    : '(the exact body Persona signed)';
}

function Payload({ event }) {
  if (event.payloadState === 'present') {
    return html`<details class="payload" open>
      <summary>Payload <span class="muted small" data-testid="payload-label">${payloadLabel(event)}</span></summary>
      <${JsonTree} value=${event.payload} />
    </details>`;
  }
  if (event.payloadState === 'redacted') {
    return html`<p class="state state-empty" data-testid="payload-state">
      Payload redacted${event.payloadRemovedAt ? html` on <${Time} iso=${event.payloadRemovedAt} />` : ''}: Persona redacted this
      ${event.payloadRemovedAt ? 'inquiry' : 'inquiry or account'}, so its stored bodies were scrubbed.
    </p>`;
  }
  return html`<p class="state state-empty" data-testid="payload-state">
    Payload purged on or about <${Time} iso=${event.payloadRemovedAt} /> by retention (PERSONA_WEBHOOKS_RETENTION_DAYS). The id
    is kept, so Persona's redeliveries are still recognised.
  </p>`;
}

/**
 * Replay. A dead event replays at once (it failed: running it again is the point); a done one already ran
 * the user's handlers successfully, and running them again (an e-mail sent twice, access granted again)
 * is asked about first.
 */
function ReplayButton({ event, onReplayed }) {
  const [state, setState] = useState({ busy: false, error: null });
  const dialog = useRef(null);
  if (event.status !== 'done' && event.status !== 'dead') return null;
  const replay = async () => {
    setState({ busy: true, error: null });
    try {
      await api(`/api/events/${encodeURIComponent(event.id)}/replay`, { method: 'POST' });
      dialog.current?.close();
      setState({ busy: false, error: null });
      onReplayed();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const done = event.status === 'done';
  return html`<div class="replay">
    <button type="button" class="button button-primary" onClick=${done ? () => dialog.current?.showModal() : replay} disabled=${state.busy}>
      ${state.busy ? 'Replaying…' : 'Replay'}
    </button>
    <span class="muted small">Runs the handlers and the KYC projection again, with a fresh set of attempts.</span>
    ${state.error && !done && html`<p class="field-error" role="alert">${state.error.message}</p>`}
    ${
      done &&
      html`<dialog ref=${dialog} class="dialog" aria-labelledby="replay-done-title" aria-describedby="replay-done-text">
        <h2 id="replay-done-title">Replay a done event?</h2>
        <p id="replay-done-text">
          ${event.name} (${event.id}) was already processed successfully. Replaying runs your handlers for it
          again — whatever they do (grant access, send an e-mail) happens a second time.
        </p>
        ${state.error && html`<p class="field-error" role="alert">${state.error.message}</p>`}
        <div class="dialog-actions">
          <button type="button" class="button" onClick=${() => dialog.current?.close()}>Cancel</button>
          <button type="button" class="button button-primary" onClick=${replay} disabled=${state.busy}>
            ${state.busy ? 'Replaying…' : 'Replay again'}
          </button>
        </div>
      </dialog>`
    }
  </div>`;
}

export function EventDetail({ id }) {
  const { data: event, error, reload } = useApi(`/api/events/${encodeURIComponent(id)}`);
  // Set by a replay: how many attempts the event had, so the new run is recognised when it settles.
  const [following, setFollowing] = useState(null);
  const [message, setMessage] = useState('');

  // After a replay, poll until the worker has run the event again (or give up after a minute).
  useEffect(() => {
    if (!following) return;
    const timer = setInterval(() => {
      if (Date.now() - following.sinceMs > FOLLOW_FOR_MS) {
        setFollowing(null);
        setMessage('Replayed, but not processed within a minute: is the worker running? Refresh to check.');
      } else reload();
    }, FOLLOW_MS);
    return () => clearInterval(timer);
  }, [following, reload]);
  useEffect(() => {
    if (!following || !event) return;
    const ranAgain = event.attemptLog.length > following.attemptsBefore;
    if (ranAgain && (event.status === 'done' || event.status === 'dead')) {
      setFollowing(null);
      setMessage(
        `Replayed: the event is ${event.status} now${event.status === 'dead' ? ' — it failed again, see the last attempt' : ''}.`,
      );
    }
  }, [event, following]);

  if (error) {
    return html`<${PageTitle} title="Event">Event ${id}<//>
      ${
        error.status === 404
          ? html`<div class="state state-empty" role="alert"><p><strong>No event ${id}.</strong></p><p>Check the id, or find the event on the <a href=${href(['events'])}>events page</a>.</p></div>`
          : html`<${ErrorState} error=${error} retry=${reload} />`
      }`;
  }
  if (!event) return html`<${PageTitle} title="Event">Event<//><${Loading} />`;

  return html`
    <p class="breadcrumb"><a href=${href(['events'])}>← Events</a></p>
    <div class="page-head">
      <${PageTitle} title=${event.name}>${event.name} <${StatusBadge} status=${event.status} /><//>
    </div>
    <${ReplayButton}
      event=${event}
      onReplayed=${() => {
        setMessage('Replayed: queued for processing…');
        setFollowing({ sinceMs: Date.now(), attemptsBefore: event.attemptLog.length });
        reload();
      }}
    />
    <p class="live" role="status" aria-live="polite" data-testid="replay-status">${message}</p>

    <section class="card">
      <h2>Envelope</h2>
      <dl class="fields">
        <${Field} label="Event id"><span class="mono">${event.id}</span><//>
        <${Field} label="Status"><${StatusBadge} status=${event.status} /><//>
        <${Field} label="Created (by Persona)"><${Time} iso=${event.createdAt} /><//>
        <${Field} label="Received"><${Time} iso=${event.receivedAt} /><//>
        <${Field} label="Source"><span data-testid="event-source"><${SourceBadge} source=${event.source} /></span> <span class="muted small">${event.source === 'api' ? "recovered through Persona's Events API; the webhook delivery never arrived" : "delivered by Persona's webhook"}</span><//>
        <${Field} label="Object">${event.objectType ? html`<span class="mono">${event.objectType} ${event.objectId}</span>` : html`<span class="muted">—</span>`}<//>
        <${Field} label="Inquiry">${event.inquiryId ? html`<span class="mono">${event.inquiryId}</span>` : html`<span class="muted">—</span>`}<//>
        <${Field} label="User (reference id)">${event.referenceId ? html`<a class="mono" href=${href(['users', event.referenceId])}>${event.referenceId}</a>` : html`<span class="muted">—</span>`}<//>
        <${Field} label="Attempts">${event.attempts}<//>
        ${event.status === 'pending' && html`<${Field} label="Next run"><${Time} iso=${event.runAt} /><//>`}
        ${event.lastError && html`<${Field} label="Last error" wide=${true}><pre class="error-text wrap">${event.lastError}</pre><//>`}
      </dl>
    </section>

    <section class="card">
      <h2>Attempts</h2>
      <${Attempts} attempts=${event.attemptLog} />
    </section>

    <section class="card">
      <h2>Payload</h2>
      <${Payload} event=${event} />
    </section>
  `;
}
