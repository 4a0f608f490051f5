/**
 * The event reads of the SQLite read model: detail and listing, queue counts, a timeline, received per
 * minute and the inbox's oldest and newest times. Plain SELECTs; WAL lets them run beside the writer.
 */

import { PLAIN_KYC_TABLES } from '../facts/kyc-tables.js';
import { userObjectIdsSql } from '../facts/ownership-sql.js';
import type { EventStatus } from '../queue/work-queue.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import type { Synchronous } from '../synchronous.js';
import { type BindParameter, eventListConditions, eventListPage, eventListSql } from './event-list-sql.js';
import type { ReadModel } from './read-model.js';
import {
  type AttemptRow,
  EVENT_SUMMARY_COLUMNS,
  type EventDetailRow,
  type EventSummaryRow,
  type MinuteCountRow,
  timelineLimit,
  toEventDetail,
  toEventPage,
  toInboxCounts,
  toMinuteCount,
  toTimeline,
} from './row-views.js';

/** The reads of events. */
export type SqliteEventReads = Pick<
  Synchronous<ReadModel>,
  'getEvent' | 'listEvents' | 'counts' | 'timeline' | 'receivedPerMinute' | 'inboxTimes'
>;

const SUMMARY_COLUMNS = EVENT_SUMMARY_COLUMNS;

const GET_EVENT_SQL = `SELECT ${SUMMARY_COLUMNS}, object_type, object_id, run_at_ms,
  (SELECT body FROM event_bodies WHERE event_id = events.id) AS body
FROM events WHERE id = ?`;
// rowid order is insertion order: a replayed event's attempt numbers restart, its history does not.
const GET_ATTEMPTS_SQL = `SELECT attempt, started_at_ms, finished_at_ms, outcome, error
FROM event_attempts WHERE event_id = ? ORDER BY rowid`;
const COUNTS_SQL = 'SELECT status, count(*) AS n FROM events GROUP BY status';
/**
 * A user's events: those that carried their reference id (`ref`, a named parameter), belong to one of
 * their inquiries, or are of one of their cases, reports or accounts.
 */
const userEvents = (ref: string) => `(reference_id = ${ref}
  OR inquiry_id IN (SELECT inquiry_id FROM inquiries WHERE reference_id = ${ref})
  OR object_id IN (${userObjectIdsSql(PLAIN_KYC_TABLES, ref, 'sqlite')}))`;
// Parameters are bound by name, so a searched user's is always @search: the text is built once.
const SEARCHED_USER_EVENTS = userEvents('@search');
const TIMELINE_BY_USER_SQL = `SELECT ${SUMMARY_COLUMNS} FROM events WHERE ${userEvents('@reference_id')}
ORDER BY created_at_ms DESC, id DESC LIMIT @limit`;
const TIMELINE_BY_INQUIRY_SQL = `SELECT ${SUMMARY_COLUMNS} FROM events WHERE inquiry_id = @inquiry_id
ORDER BY created_at_ms DESC, id DESC LIMIT @limit`;
// Integer division: SQLite keeps integers integral, so this is the start of the minute.
const PER_MINUTE_SQL = `SELECT (received_at_ms / 60000) * 60000 AS minute_ms, count(*) AS n FROM events
WHERE received_at_ms >= ? GROUP BY minute_ms ORDER BY minute_ms`;
const INBOX_TIMES_SQL = `SELECT
  (SELECT min(received_at_ms) FROM events WHERE status IN ('pending', 'processing')) AS oldest_open,
  (SELECT max(received_at_ms) FROM events) AS last_received`;

/** Builds the event reads over a migrated connection. */
export function createSqliteEventReads(prepare: PrepareCached): SqliteEventReads {
  return {
    getEvent(eventId) {
      const row = prepare(GET_EVENT_SQL).get(eventId) as EventDetailRow | undefined;
      if (!row) return null;
      return toEventDetail(row, prepare(GET_ATTEMPTS_SQL).all(eventId) as AttemptRow[]);
    },

    listEvents(query) {
      const { limit, after } = eventListPage(query);
      const params: Record<string, string | number> = { limit: limit + 1 };
      const bind: BindParameter = (name, value) => {
        params[name] = value;
        return `@${name}`;
      };
      const conditions = eventListConditions(query, after, bind, () => SEARCHED_USER_EVENTS);
      const rows = prepare(eventListSql('events', conditions, '@limit')).all(params);
      return toEventPage(rows as EventSummaryRow[], limit);
    },

    counts: () => toInboxCounts(prepare(COUNTS_SQL).all() as { status: EventStatus; n: number }[]),

    timeline(query) {
      const limit = timelineLimit(query);
      const rows =
        'inquiryId' in query
          ? prepare(TIMELINE_BY_INQUIRY_SQL).all({ inquiry_id: query.inquiryId, limit: limit + 1 })
          : prepare(TIMELINE_BY_USER_SQL).all({ reference_id: query.referenceId, limit: limit + 1 });
      return toTimeline(rows as EventSummaryRow[], limit);
    },

    receivedPerMinute(sinceMs) {
      return (prepare(PER_MINUTE_SQL).all(sinceMs) as MinuteCountRow[]).map(toMinuteCount);
    },

    inboxTimes() {
      const row = prepare(INBOX_TIMES_SQL).get() as {
        oldest_open: number | null;
        last_received: number | null;
      };
      return { oldestOpenReceivedAtMs: row.oldest_open, lastReceivedAtMs: row.last_received };
    },
  };
}
