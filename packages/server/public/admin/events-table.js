/**
 * The event list shared by Events and Dead letters: ids, names, statuses, sources, times and the last
 * error. Never payload data: the payload is shown on the detail page only. Rows come newest received
 * first, ties broken by id, as the API orders them: the note above the table says so, because several
 * events often share a received second.
 */
import { SourceBadge, StatusBadge } from './components.js';
import { Time } from './format.js';
import { href } from './router.js';
import { html } from './vendor/preact-htm.js';

/**
 * `wholeErrors`: the Dead letters page shows each error whole (wrapped), since reading it is why one
 * opens that page; the Events page clamps it to two lines.
 */
export function EventsTable({ events, caption, wholeErrors = false }) {
  return html`<p class="muted small order-note" data-testid="order-note">
      Newest received first. Events received within the same second stay in a fixed order: by exact received
      time (to the millisecond: hover a time), then by event id.
    </p>
    <div class="table-wrap" tabindex="0" role="region" aria-label=${caption}>
    <table class="events-table">
      <caption class="visually-hidden">${caption}</caption>
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">Status</th>
          <th scope="col">Source</th>
          <th scope="col">Received</th>
          <th scope="col" class="hide-narrow">Created</th>
          <th scope="col" class="hide-narrow">User</th>
          <th scope="col" class="hide-narrow">Attempts</th>
          <th scope="col">Last error</th>
        </tr>
      </thead>
      <tbody>
        ${events.map(
          (event) => html`<tr key=${event.id} data-event-id=${event.id}>
            <td>
              <a href=${href(['events', event.id])} class="event-link"><span class="event-name">${event.name}</span></a>
              ${event.unknownName && html`<span class="badge badge-unknown-name" title="Persona does not document this event name: it was stored and processed, but no handler knows it" data-testid="unknown-name">unknown name</span>`}
              <span class="mono small muted event-id" title=${event.id}>${event.id}</span>
            </td>
            <td><${StatusBadge} status=${event.status} /></td>
            <td><${SourceBadge} source=${event.source} /></td>
            <td class="nowrap"><${Time} iso=${event.receivedAt} /></td>
            <td class="hide-narrow nowrap"><${Time} iso=${event.createdAt} /></td>
            <td class="hide-narrow nowrap">
              ${event.referenceId ? html`<a href=${href(['users', event.referenceId])} class="mono">${event.referenceId}</a>` : html`<span class="muted">—</span>`}
            </td>
            <td class="hide-narrow num">${event.attempts}</td>
            <td class=${wholeErrors ? 'error-cell error-cell-whole' : 'error-cell'}>${
              event.lastError
                ? wholeErrors
                  ? html`<pre class="error-text wrap" data-testid="dead-letter-error">${event.lastError}</pre>`
                  : html`<span class="error-text" title=${event.lastError}>${event.lastError}</span>`
                : html`<span class="muted">—</span>`
            }</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
