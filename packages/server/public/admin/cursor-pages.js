/**
 * Cursor paging shared by every list (events, dead letters, deliveries): one page for the filters,
 * older/newer over the `nextCursor`s seen so far, and the pager under the table.
 */
import { api, query } from './api.js';
import { html, useEffect, useState } from './vendor/preact-htm.js';

const PAGE_SIZE = 50;

/** One page of `path` (a list route answering `{ <items>, nextCursor }`) for `filters`. */
export function useCursorPages(path, filters) {
  const key = JSON.stringify(filters);
  const [cursors, setCursors] = useState([null]);
  const [state, setState] = useState({ loading: true, page: null, error: null });
  const cursor = cursors.at(-1);
  useEffect(() => setCursors([null]), [key]);
  const load = () => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    api(`${path}${query({ ...filters, limit: PAGE_SIZE, cursor })}`).then(
      (page) => current && setState({ loading: false, page, error: null }),
      (error) => current && setState({ loading: false, page: null, error }),
    );
    return () => {
      current = false;
    };
  };
  useEffect(load, [path, key, cursor]);
  return {
    ...state,
    pageNumber: cursors.length,
    reload: load,
    older: () => state.page?.nextCursor && setCursors([...cursors, state.page.nextCursor]),
    newer: () => cursors.length > 1 && setCursors(cursors.slice(0, -1)),
  };
}

export function Pager({ pages }) {
  const { page, pageNumber } = pages;
  if (!page || (pageNumber === 1 && !page.nextCursor)) return null;
  return html`<nav class="pager" aria-label="Pages">
    <button type="button" class="button" onClick=${pages.newer} disabled=${pageNumber === 1}>← Newer</button>
    <span class="muted">Page ${pageNumber}</span>
    <button type="button" class="button" onClick=${pages.older} disabled=${!page.nextCursor}>Older →</button>
  </nav>`;
}
