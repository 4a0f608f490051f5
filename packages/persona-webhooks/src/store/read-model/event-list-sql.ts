/**
 * The SQL of `listEvents`, written once for both stores: the same filters in the same order, each
 * value bound through the dialect's {@link BindParameter} (SQLite's `@name`, PostgreSQL's cast `$n`),
 * newest received first and keyset-paged on (received_at_ms, id), the order of the events index.
 */

import { decodeKeysetCursor, type KeysetCursor } from './keyset-cursor.js';
import type { ListEventsQuery } from './read-model.js';
import { EVENT_SUMMARY_COLUMNS, listLimit } from './row-views.js';

/** Binds `value` as the parameter `name` and returns its placeholder, typed where the dialect needs it. */
export type BindParameter = (name: string, value: string | number, type: 'text' | 'bigint') => string;

/** A `listEvents` query's page size and where its page starts. */
export interface EventListPage {
  limit: number;
  after: KeysetCursor | undefined;
}

/**
 * Checked before querying: a limit outside 1–500 (`RangeError`) or a cursor no page gave
 * (`InvalidCursorError`) is the caller's error (400), not an outage.
 */
export function eventListPage(query: ListEventsQuery): EventListPage {
  const limit = listLimit(query);
  return { limit, after: query.cursor === undefined ? undefined : decodeKeysetCursor(query.cursor) };
}

/**
 * The WHERE conditions of `query` (none when it filters nothing), binding their values in order.
 * `userEvents` is the dialect's condition for one user's events, given the placeholder of the searched
 * reference id.
 */
export function eventListConditions(
  query: ListEventsQuery,
  after: KeysetCursor | undefined,
  bind: BindParameter,
  userEvents: (referenceId: string) => string,
): string[] {
  const conditions: string[] = [];
  if (query.status !== undefined) conditions.push(`status = ${bind('status', query.status, 'text')}`);
  if (query.name !== undefined) conditions.push(`name = ${bind('name', query.name, 'text')}`);
  if (query.receivedFromMs !== undefined) {
    conditions.push(`received_at_ms >= ${bind('received_from', query.receivedFromMs, 'bigint')}`);
  }
  if (query.receivedBeforeMs !== undefined) {
    conditions.push(`received_at_ms < ${bind('received_before', query.receivedBeforeMs, 'bigint')}`);
  }
  if (query.search !== undefined) {
    // Exact ids only, each served by its own index.
    const search = bind('search', query.search, 'text');
    conditions.push(
      `(id = ${search} OR object_id = ${search} OR inquiry_id = ${search} OR ${userEvents(search)})`,
    );
  }
  if (after !== undefined) {
    const atMs = bind('after_received', after.atMs, 'bigint');
    conditions.push(`(received_at_ms, id) < (${atMs}, ${bind('after_id', after.id, 'text')})`);
  }
  return conditions;
}

/** One page of `events` under `conditions`, newest received first, `limit` (a placeholder) rows at most. */
export function eventListSql(events: string, conditions: readonly string[], limit: string): string {
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return `SELECT ${EVENT_SUMMARY_COLUMNS} FROM ${events} ${where} ORDER BY received_at_ms DESC, id DESC LIMIT ${limit}`;
}
