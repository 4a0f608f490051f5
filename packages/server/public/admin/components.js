/** Small pieces every page uses: loading, error and empty states, status badges, data loading. */
import { api } from './api.js';
import { html, useCallback, useEffect, useState } from './vendor/preact-htm.js';

/** Loads `path` (re-loads when it changes); `reload()` fetches again, keeping the old data meanwhile. */
export function useApi(path) {
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const load = useCallback(() => {
    if (path === null) return;
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    api(path).then(
      (data) => current && setState({ loading: false, data, error: null }),
      (error) => current && setState({ loading: false, data: null, error }),
    );
    return () => {
      current = false;
    };
  }, [path]);
  useEffect(load, [load]);
  return { ...state, reload: load };
}

/** `pending`, `dead`, `approved`…: the word, plus a colour class (never colour alone). */
export function StatusBadge({ status }) {
  const value = status ?? 'unknown';
  return html`<span class=${`badge badge-${value.replace(/[^a-z_]/g, '')}`}>${value.replace(/_/g, ' ')}</span>`;
}

export function Loading({ what = 'Loading' }) {
  return html`<p class="state state-loading" role="status">${what}…</p>`;
}

/** What went wrong and what to do about it, with a retry. */
export function ErrorState({ error, retry }) {
  const hint =
    error.code === 'network'
      ? 'Check that the service is running, then retry.'
      : error.code === 'store_unavailable'
        ? 'The database does not answer: check it (and /readyz), then retry.'
        : error.status >= 500
          ? 'See the service log for details, then retry.'
          : '';
  return html`<div class="state state-error" role="alert">
    <p><strong>Could not load this.</strong> ${error.message}</p>
    ${hint && html`<p>${hint}</p>`}
    ${retry && html`<button type="button" class="button" onClick=${retry}>Retry</button>`}
  </div>`;
}

export function EmptyState({ title, children }) {
  return html`<div class="state state-empty"><p><strong>${title}</strong></p>${children}</div>`;
}

/** The page's heading; also the document title. */
export function PageTitle({ children, title }) {
  useEffect(() => {
    document.title = `${title ?? children} · Persona webhooks`;
  }, [title, children]);
  return html`<h1>${children}</h1>`;
}

/**
 * Where an event came from: `webhook` (Persona delivered it, signed) or `api` (recovered later through
 * Persona's Events API by reconciliation or backfill, because the delivery never arrived).
 */
export function SourceBadge({ source }) {
  return source === 'api'
    ? html`<span class="source source-api" title="Recovered through Persona's Events API (reconciliation or backfill): the webhook delivery never arrived">api</span>`
    : html`<span class="source source-webhook" title="Delivered by Persona's webhook, signature verified">webhook</span>`;
}
