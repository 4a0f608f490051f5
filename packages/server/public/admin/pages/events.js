/**
 * Events: filters (status, name, received time, exact id or reference id) kept in the address, a
 * table, and cursor pages; everything updates in place, without reloading the page.
 */
import { ApiError } from '../api.js';
import { EmptyState, ErrorState, Loading, PageTitle } from '../components.js';
import { Pager, useCursorPages } from '../cursor-pages.js';
import { EventsTable } from '../events-table.js';
import { isoToUtcInput, utcInputToIso } from '../format.js';
import { href, navigate } from '../router.js';
import { html, useEffect, useState } from '../vendor/preact-htm.js';

const STATUSES = ['pending', 'processing', 'done', 'dead'];
const FILTERS = ['status', 'name', 'from', 'to', 'q'];

/** One page of events for the filters in `filters`, with older/newer navigation over cursors. */
export function useEventPages(filters) {
  return useCursorPages('/api/events', filters);
}

function Filters({ filters }) {
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [JSON.stringify(filters)]);
  const set = (name) => (event) => setDraft({ ...draft, [name]: event.currentTarget.value });
  const apply = (next) => navigate(href(['events'], next));
  const submit = (event) => {
    event.preventDefault();
    apply(draft);
  };
  return html`<form class="filters card" role="search" aria-label="Filter events" onSubmit=${submit}>
    <div class="field">
      <label for="f-status">Status</label>
      <select id="f-status" value=${draft.status ?? ''} onChange=${(e) => apply({ ...draft, status: e.currentTarget.value })}>
        <option value="">any</option>
        ${STATUSES.map((status) => html`<option value=${status}>${status}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="f-name">Event name</label>
      <input id="f-name" type="text" placeholder="inquiry.approved" value=${draft.name ?? ''} onInput=${set('name')} />
    </div>
    <div class="field">
      <label for="f-from">Received from (UTC)</label>
      <input id="f-from" type="datetime-local" value=${isoToUtcInput(draft.from)} onInput=${(e) => setDraft({ ...draft, from: utcInputToIso(e.currentTarget.value) })} />
    </div>
    <div class="field">
      <label for="f-to">Received before (UTC)</label>
      <input id="f-to" type="datetime-local" value=${isoToUtcInput(draft.to)} onInput=${(e) => setDraft({ ...draft, to: utcInputToIso(e.currentTarget.value) })} />
    </div>
    <div class="field field-wide">
      <label for="f-q">Id or reference id</label>
      <input id="f-q" type="search" placeholder="evt_…, inq_…, ver_… or user-123" value=${draft.q ?? ''} onInput=${set('q')} />
    </div>
    <div class="field field-actions">
      <button type="submit" class="button button-primary">Apply</button>
      <a class="button" href=${href(['events'])}>Clear</a>
    </div>
  </form>`;
}

export function Events({ params }) {
  const filters = Object.fromEntries(
    FILTERS.map((name) => [name, params.get(name) ?? '']).filter(([, v]) => v),
  );
  const pages = useEventPages(filters);
  const filtered = Object.keys(filters).length > 0;
  let body;
  if (pages.error) {
    body =
      pages.error instanceof ApiError && pages.error.code === 'invalid_request'
        ? html`<div class="state state-error" role="alert"><p>${pages.error.message}</p><p>Change the filters above, or <a href=${href(['events'])}>clear them</a>.</p></div>`
        : html`<${ErrorState} error=${pages.error} retry=${pages.reload} />`;
  } else if (!pages.page) body = html`<${Loading} what="Loading events" />`;
  else if (pages.page.events.length === 0)
    body = filtered
      ? html`<${EmptyState} title="No event matches these filters."><p>Widen the time range, pick another status, or <a href=${href(['events'])}>clear the filters</a>. The id search matches whole ids only.</p><//>`
      : html`<${EmptyState} title="No events yet."><p>Point Persona's webhook at <code>/webhooks/persona</code>, or send a test event with <code>npx persona-webhooks send inquiry.approved</code>.</p><//>`;
  else
    body = html`<${EventsTable} events=${pages.page.events} caption="Events, newest received first" /><${Pager} pages=${pages} />`;

  return html`
    <${PageTitle}>Events<//>
    <${Filters} filters=${filters} />
    <div aria-live="polite" aria-busy=${pages.loading ? 'true' : 'false'}>${body}</div>
  `;
}
