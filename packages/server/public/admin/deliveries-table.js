/**
 * The outbound message list shared by the Deliveries page and a user's page: where each
 * `kyc.decision_changed` went, for whom, the decision it carried, and how sending it went — attempts,
 * the last status code and error, the next retry. Newest first, as the API orders them.
 */
import { StatusBadge } from './components.js';
import { Time } from './format.js';
import { href } from './router.js';
import { html } from './vendor/preact-htm.js';

/** `pending → approved`, or `none → approved` the first time the user was decided. */
export function DecisionChange({ delivery }) {
  return html`<span class="decision-change nowrap" data-testid="decision-change">
    ${delivery.previousDecision ? html`<${StatusBadge} status=${delivery.previousDecision} />` : html`<span class="muted">none</span>`}
    <span aria-label="to"> → </span>
    <${StatusBadge} status=${delivery.decision} />
  </span>`;
}

/**
 * When the message is tried next: a time while it waits, "now" while it is being sent, else none; or,
 * when `blocked`, that it waits for an older message to the same endpoint for the same user (those go
 * one at a time, in order).
 */
export function NextRetry({ delivery, blocked = false }) {
  if (delivery.status === 'sending') return html`<span>sending now</span>`;
  if (delivery.status !== 'pending') return html`<span class="muted">—</span>`;
  if (blocked) return html`<span class="muted">after the older message</span>`;
  return html`<${Time} iso=${delivery.nextAttemptAt} />`;
}

/**
 * The ids of the listed messages held back by an older undelivered one (listed too) of the same
 * endpoint and user: their own due time has passed, but they go only after it.
 */
function heldBack(deliveries) {
  const held = new Set();
  const open = (d) => d.status === 'pending' || d.status === 'sending';
  // Newest first: a message is held back by any open one listed after it.
  const seen = new Set();
  for (let i = deliveries.length - 1; i >= 0; i--) {
    const d = deliveries[i];
    const key = `${d.endpointId}\u0000${d.referenceId}`;
    if (open(d) && seen.has(key)) held.add(d.id);
    if (open(d)) seen.add(key);
  }
  return held;
}

export function DeliveriesTable({ deliveries, caption, showUser = true }) {
  const blocked = heldBack(deliveries);
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${caption}>
    <table class="deliveries-table">
      <caption class="visually-hidden">${caption}</caption>
      <thead>
        <tr>
          <th scope="col">Message, endpoint</th>
          ${showUser && html`<th scope="col">User</th>`}
          <th scope="col">Decision</th>
          <th scope="col">Status</th>
          <th scope="col" class="num">Attempts</th>
          <th scope="col" class="num">Last status</th>
          <th scope="col">Last error</th>
          <th scope="col">Next retry (UTC)</th>
        </tr>
      </thead>
      <tbody>
        ${deliveries.map(
          (d) => html`<tr key=${d.id} data-delivery-id=${d.id}>
            <td>
              <a href=${href(['deliveries', d.id])} class="mono delivery-link">${d.id}</a>
              <span class="small block">to <span class="mono" data-testid="delivery-endpoint">${d.endpointId}</span></span>
              <span class="muted small block nowrap">created <${Time} iso=${d.createdAt} /></span>
            </td>
            ${showUser && html`<td class="nowrap"><a href=${href(['users', d.referenceId])} class="mono">${d.referenceId}</a></td>`}
            <td><${DecisionChange} delivery=${d} /></td>
            <td data-testid="delivery-status"><${StatusBadge} status=${d.status} /></td>
            <td class="num" data-testid="delivery-attempts">${d.attempts}</td>
            <td class="num" data-testid="last-status-code">${d.lastStatusCode ?? html`<span class="muted">—</span>`}</td>
            <td class="error-cell">${d.lastError ? html`<span class="error-text" title=${d.lastError}>${d.lastError}</span>` : html`<span class="muted">—</span>`}</td>
            <td class="next-retry" data-testid="next-retry"><${NextRetry} delivery=${d} blocked=${blocked.has(d.id)} /></td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
