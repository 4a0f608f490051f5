/**
 * Persona's cursor pagination over a newest-first list: `page[size]` (1–100, default 10),
 * `page[after]=<id>` for the older items after that one, `page[before]=<id>` for the newer ones, and
 * `links.prev` / `links.next` relative to the host carrying only the cursor, as Persona's do
 * (`/api/v1/events?page%5Bafter%5D=evt_…`): page size and filters are not in them, so a client must send
 * those again on every page. The emulator can cap pages below what was asked (`maxPageSize`), as Persona
 * may, so clients must follow the links.
 */

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;

/** Raised for a bad `page[…]` parameter; answered 400 in Persona's error shape. */
export class PageParameterError extends Error {
  override readonly name = 'PageParameterError';
}

export interface PageRequest {
  /** The query as received (`page[size]`, `page[after]`, filters …). */
  query: Record<string, string | undefined>;
  /** Path of the list, e.g. `/api/v1/events`, for the links. */
  path: string;
  /** The emulator's own cap (≤ 100). */
  maxPageSize: number;
}

export interface Page<T> {
  items: T[];
  links: { prev: string | null; next: string | null };
}

/** One page of `items` (newest first, each with an `id`). */
export function paginate<T extends { id: string }>(items: readonly T[], request: PageRequest): Page<T> {
  const size = pageSize(request.query['page[size]'], request.maxPageSize);
  const after = request.query['page[after]'];
  const before = request.query['page[before]'];
  let start = 0;
  let end: number;
  if (after) {
    start = indexOf(items, after, 'page[after]') + 1;
    end = Math.min(items.length, start + size);
  } else if (before) {
    end = indexOf(items, before, 'page[before]');
    start = Math.max(0, end - size);
  } else {
    end = Math.min(items.length, size);
  }
  const page = items.slice(start, end);
  const first = page[0];
  const last = page.at(-1);
  return {
    items: page,
    links: {
      prev: first && start > 0 ? link(request, { 'page[before]': first.id }) : null,
      next: last && end < items.length ? link(request, { 'page[after]': last.id }) : null,
    },
  };
}

function pageSize(raw: string | undefined, cap: number): number {
  if (raw === undefined) return Math.min(DEFAULT_PAGE_SIZE, cap);
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new PageParameterError(`page[size] must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return Math.min(size, cap);
}

function indexOf(items: readonly { id: string }[], id: string, parameter: string): number {
  const index = items.findIndex((item) => item.id === id);
  if (index < 0) throw new PageParameterError(`${parameter} names no item of this list: ${id.slice(0, 64)}`);
  return index;
}

/** What Persona puts in `links`: the list's path and the cursor, nothing else of the query. */
function link(request: PageRequest, cursor: Record<string, string>): string {
  return `${request.path}?${new URLSearchParams(cursor).toString()}`;
}
