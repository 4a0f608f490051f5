/**
 * The event reads of the PostgreSQL read model, with the same shapes and orderings as SQLite's
 * (`sqlite-event-reads.ts`): events newest-received first with the shared opaque keyset cursor.
 */

import { userObjectIdsSql } from '../facts/ownership-sql.js';
import type { Tables } from '../postgres/tables.js';
import { type BindParameter, eventListConditions, eventListPage, eventListSql } from './event-list-sql.js';
import { attemptRow, detailRow, type SelectRows, STATUSES, summaryRow } from './postgres-read-rows.js';
import type { ReadModel } from './read-model.js';
import {
  EVENT_SUMMARY_COLUMNS,
  timelineLimit,
  toEventDetail,
  toEventPage,
  toInboxCounts,
  toMinuteCount,
  toTimeline,
} from './row-views.js';

/** The reads of events. */
export type PostgresEventReads = Pick<
  ReadModel,
  'getEvent' | 'listEvents' | 'counts' | 'timeline' | 'receivedPerMinute' | 'inboxTimes'
>;

/** Builds the event reads of one schema's tables; their fixed SQL is rendered once, here. */
export function createPostgresEventReads(select: SelectRows, t: Tables): PostgresEventReads {
  // A user's events: by reference id (`ref`, a cast parameter), by their inquiries, and of their cases,
  // reports and accounts.
  const userEvents = (ref: string) =>
    `(reference_id = ${ref} OR inquiry_id IN (SELECT inquiry_id FROM ${t.inquiries} WHERE reference_id = ${ref})
    OR object_id IN (${userObjectIdsSql(t, ref, 'postgres')}))`;
  const getEventSql = `SELECT ${EVENT_SUMMARY_COLUMNS}, object_type, object_id, run_at_ms, body FROM ${t.events} WHERE id = $1`;
  const getAttemptsSql = `SELECT attempt, started_at_ms, finished_at_ms, outcome, error
    FROM ${t.attempts} WHERE event_id = $1 ORDER BY seq`;
  const countsSql = `SELECT status, count(*) AS n FROM ${t.events} GROUP BY status`;
  const timelineSql = (where: string) => `SELECT ${EVENT_SUMMARY_COLUMNS} FROM ${t.events} WHERE ${where}
    ORDER BY created_at_ms DESC, id DESC LIMIT $1`;
  const timelineByInquirySql = timelineSql('inquiry_id = $2::text');
  const timelineByUserSql = timelineSql(userEvents('$2::text'));
  const perMinuteSql = `SELECT (received_at_ms / 60000) * 60000 AS minute_ms, count(*) AS n FROM ${t.events}
    WHERE received_at_ms >= $1::bigint GROUP BY 1 ORDER BY 1`;
  const inboxTimesSql = `SELECT
    (SELECT min(received_at_ms) FROM ${t.events} WHERE status NOT IN ('done', 'dead')) AS oldest_open,
    (SELECT max(received_at_ms) FROM ${t.events}) AS last_received`;

  return {
    async getEvent(eventId) {
      const [row] = await select(getEventSql, [eventId]);
      if (!row) return null;
      const attempts = await select(getAttemptsSql, [eventId]);
      return toEventDetail(detailRow(row), attempts.map(attemptRow));
    },

    async listEvents(query) {
      const { limit, after } = eventListPage(query);
      const values: unknown[] = [limit + 1];
      const bind: BindParameter = (_name, value, type) => `$${values.push(value)}::${type}`;
      const conditions = eventListConditions(query, after, bind, userEvents);
      const rows = await select(eventListSql(t.events, conditions, '$1'), values);
      return toEventPage(rows.map(summaryRow), limit);
    },

    async counts() {
      // count(*) is int8: a string from a default pg pool, converted like every other int8.
      const rows = await select(countsSql);
      return toInboxCounts(rows.map((row) => ({ status: row.oneOf('status', STATUSES), n: row.int('n') })));
    },

    async timeline(query) {
      const limit = timelineLimit(query);
      const [sql, key] =
        'inquiryId' in query
          ? [timelineByInquirySql, query.inquiryId]
          : [timelineByUserSql, query.referenceId];
      const rows = await select(sql, [limit + 1, key]);
      return toTimeline(rows.map(summaryRow), limit);
    },

    async receivedPerMinute(sinceMs) {
      const rows = await select(perMinuteSql, [sinceMs]);
      return rows.map((row) => toMinuteCount({ minute_ms: row.int('minute_ms'), n: row.int('n') }));
    },

    async inboxTimes() {
      const [row] = await select(inboxTimesSql);
      return {
        oldestOpenReceivedAtMs: row?.intOrNull('oldest_open') ?? null,
        lastReceivedAtMs: row?.intOrNull('last_received') ?? null,
      };
    },
  };
}
