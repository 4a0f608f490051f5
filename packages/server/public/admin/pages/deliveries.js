/**
 * Deliveries: the `kyc.decision_changed` messages sent to the application's endpoints. The endpoints
 * come first, each with what waits for it, what died and its newest error, so a failing one shows at
 * a glance; below, the messages filtered by status, endpoint or user (kept in the address), paged.
 */
import { ApiError } from '../api.js';
import { EmptyState, ErrorState, Loading, PageTitle, StatusBadge, useApi } from '../components.js';
import { Pager, useCursorPages } from '../cursor-pages.js';
import { DeliveriesTable } from '../deliveries-table.js';
import { RecoverButton, TestButton } from '../endpoint-actions.js';
import { href, navigate } from '../router.js';
import { html, useEffect, useState } from '../vendor/preact-htm.js';

const STATUSES = ['pending', 'sending', 'delivered', 'dead'];
const FILTERS = ['status', 'endpointId', 'referenceId'];

/** `failing` while messages wait after an error or died, `disabled`, else `healthy`. */
function health(endpoint) {
  if (!endpoint.enabled) return 'disabled';
  const { backlog } = endpoint;
  return backlog.dead > 0 || backlog.lastError !== null || backlog.lastStatusCode !== null
    ? 'failing'
    : 'healthy';
}

const count = (n, capped) => `${n}${capped && n > 0 ? '+' : ''}`;

function Endpoints({ endpoints, onChanged }) {
  if (endpoints.length === 0) {
    return html`<${EmptyState} title="No endpoints yet.">
      <p>Add your application with <code>persona-webhooks endpoints add &lt;url&gt;</code> (or PERSONA_WEBHOOKS_APP_ENDPOINTS):
      every decision change is then sent to it, signed in the Standard Webhooks format.</p>
    <//>`;
  }
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Endpoints">
    <table class="endpoints-table">
      <caption class="visually-hidden">Endpoints, with their waiting and dead messages</caption>
      <thead>
        <tr>
          <th scope="col">Endpoint</th>
          <th scope="col">State</th>
          <th scope="col" class="num">Waiting</th>
          <th scope="col" class="num">Dead</th>
          <th scope="col">Newest error</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        ${endpoints.map((endpoint) => {
          const state = health(endpoint);
          const { backlog } = endpoint;
          const filter = (status) => href(['deliveries'], { endpointId: endpoint.id, status });
          return html`<tr key=${endpoint.id} data-endpoint-id=${endpoint.id} class=${`endpoint-${state}`}>
            <td>
              <a class="mono" href=${href(['deliveries'], { endpointId: endpoint.id })}>${endpoint.id}</a>
              <span class="mono small muted block endpoint-url">${endpoint.url}</span>
            </td>
            <td><${StatusBadge} status=${state} /></td>
            <td class="num"><a href=${filter('pending')} data-testid="endpoint-pending">${count(backlog.pending, backlog.countsCapped)}</a></td>
            <td class="num"><a href=${filter('dead')} data-testid="endpoint-dead">${count(backlog.dead, backlog.countsCapped)}</a></td>
            <td class="error-cell" data-testid="endpoint-error">
              ${
                backlog.lastError || backlog.lastStatusCode
                  ? html`<span class="error-text">${backlog.lastStatusCode ? `${backlog.lastStatusCode} · ` : ''}${backlog.lastError ?? ''}</span>`
                  : html`<span class="muted">—</span>`
              }
            </td>
            <td class="endpoint-actions">
              <${TestButton} endpoint=${endpoint} />
              <${RecoverButton} endpoint=${endpoint} onRecovered=${onChanged} />
            </td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

function Filters({ filters, endpoints }) {
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [JSON.stringify(filters)]);
  const apply = (next) => navigate(href(['deliveries'], next));
  const choose = (name) => (e) => apply({ ...draft, [name]: e.currentTarget.value });
  const submit = (event) => {
    event.preventDefault();
    apply(draft);
  };
  return html`<form class="filters card" role="search" aria-label="Filter deliveries" onSubmit=${submit}>
    <div class="field">
      <label for="d-status">Status</label>
      <select id="d-status" value=${draft.status ?? ''} onChange=${choose('status')}>
        <option value="">any</option>
        ${STATUSES.map((status) => html`<option value=${status}>${status}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="d-endpoint">Endpoint</label>
      <select id="d-endpoint" value=${draft.endpointId ?? ''} onChange=${choose('endpointId')}>
        <option value="">any</option>
        ${endpoints.map((endpoint) => html`<option value=${endpoint.id}>${endpoint.id}</option>`)}
      </select>
    </div>
    <div class="field field-wide">
      <label for="d-user">Reference id</label>
      <input id="d-user" type="search" placeholder="user-123" value=${draft.referenceId ?? ''} onInput=${(e) => setDraft({ ...draft, referenceId: e.currentTarget.value.trim() })} />
    </div>
    <div class="field field-actions">
      <button type="submit" class="button button-primary">Apply</button>
      <a class="button" href=${href(['deliveries'])}>Clear</a>
    </div>
  </form>`;
}

export function Deliveries({ params }) {
  const filters = Object.fromEntries(
    FILTERS.map((name) => [name, params.get(name) ?? '']).filter(([, v]) => v),
  );
  const endpoints = useApi('/api/endpoints?backlog=true');
  const pages = useCursorPages('/api/deliveries', filters);
  const filtered = Object.keys(filters).length > 0;
  const list = endpoints.data?.endpoints ?? [];

  const refresh = () => {
    endpoints.reload();
    pages.reload();
  };
  let top;
  if (endpoints.error) top = html`<${ErrorState} error=${endpoints.error} retry=${endpoints.reload} />`;
  else if (!endpoints.data) top = html`<${Loading} what="Loading endpoints" />`;
  else top = html`<${Endpoints} endpoints=${list} onChanged=${() => refresh()} />`;

  let body;
  if (pages.error) {
    body =
      pages.error instanceof ApiError && pages.error.code === 'invalid_request'
        ? html`<div class="state state-error" role="alert"><p>${pages.error.message}</p><p>Change the filters above, or <a href=${href(['deliveries'])}>clear them</a>.</p></div>`
        : html`<${ErrorState} error=${pages.error} retry=${pages.reload} />`;
  } else if (!pages.page) body = html`<${Loading} what="Loading deliveries" />`;
  else if (pages.page.deliveries.length === 0)
    body = filtered
      ? html`<${EmptyState} title="No message matches these filters."><p>Pick another status or endpoint, or <a href=${href(['deliveries'])}>clear the filters</a>. The reference id must match exactly.</p><//>`
      : html`<${EmptyState} title="No messages yet."><p>A message is written for every endpoint each time a user's decision changes.</p><//>`;
  else
    body = html`<${DeliveriesTable} deliveries=${pages.page.deliveries} caption="Messages, newest first" /><${Pager} pages=${pages} />`;

  return html`
    <div class="page-head">
      <${PageTitle}>Deliveries<//>
      <button type="button" class="button" onClick=${refresh} disabled=${pages.loading || endpoints.loading}>Refresh</button>
    </div>
    <p class="muted">
      The <code>kyc.decision_changed</code> messages sent to your application, signed in the Standard Webhooks format. A
      failed attempt is retried for about a day, then the message is dead; open it to see every attempt and replay it.
    </p>
    <section class="card" aria-labelledby="endpoints-title">
      <h2 id="endpoints-title">Endpoints</h2>
      ${top}
    </section>
    <h2>Messages</h2>
    <${Filters} filters=${filters} endpoints=${list} />
    <div aria-live="polite" aria-busy=${pages.loading ? 'true' : 'false'}>${body}</div>
  `;
}
