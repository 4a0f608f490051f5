/**
 * The dashboard's reads on PostgreSQL, with the same shapes and orderings as SQLite's
 * (`../sqlite/read-model.ts`): verifications per inquiry, an inquiry's or a user's event timeline,
 * events per minute, the inbox's oldest open and newest event, and the extra `listEvents` filters.
 * Kept apart from `read-model.ts` while the store moves to another driver, so that move and this
 * addition merge without touching each other's lines.
 */
import {
  EVENT_SUMMARY_COLUMNS,
  type EventSummaryRow,
  type MinuteCountRow,
  timelineLimit,
  toMinuteCount,
  toTimeline,
  toVerificationView,
  type VerificationRow,
} from '../row-views.js';
import type {
  InboxTimes,
  ListEventsQuery,
  MinuteCount,
  Timeline,
  TimelineQuery,
  VerificationView,
} from '../store.js';
import type { Db } from './connect.js';
import type { PostgresMigration } from './migrations.js';
import type { Tables } from './tables.js';

/**
 * Schema version 3, mirroring SQLite's version 2: `reference_id` lets a user's events be found before
 * any has been processed; `object_id` and `verifications.inquiry_id` serve exact-id search and the
 * per-inquiry verification list. Older rows keep a NULL reference id and are found through the
 * inquiries their events projected.
 */
export const DASHBOARD_READS_MIGRATION: PostgresMigration = {
  version: 3,
  name: 'dashboard-reads',
  sql: `
ALTER TABLE events ADD COLUMN reference_id text;
CREATE INDEX events_reference ON events (reference_id) WHERE reference_id IS NOT NULL;
CREATE INDEX events_object ON events (object_id) WHERE object_id IS NOT NULL;
CREATE INDEX verifications_inquiry ON verifications (inquiry_id) WHERE inquiry_id IS NOT NULL;
`,
};

/** The dashboard's read operations over one pool. */
export interface PostgresDashboardReads {
  listVerifications(inquiryIds: readonly string[]): Promise<VerificationView[]>;
  timeline(query: TimelineQuery): Promise<Timeline>;
  receivedPerMinute(sinceMs: number): Promise<MinuteCount[]>;
  inboxTimes(): Promise<InboxTimes>;
}

/** The columns every event summary selects. */
export function summaryColumns(sql: Db) {
  return sql.unsafe(EVENT_SUMMARY_COLUMNS);
}

/** A user's events: the ones that carried their reference id, or belong to one of their inquiries. */
function userEvents(sql: Db, t: Tables, referenceId: string) {
  return sql`(reference_id = ${referenceId}
    OR inquiry_id IN (SELECT inquiry_id FROM ${t.inquiries} WHERE reference_id = ${referenceId}))`;
}

/** `AND …` conditions for the time-range and exact-id filters of `listEvents`. */
export function listEventsFilters(sql: Db, t: Tables, query: ListEventsQuery) {
  const { receivedFromMs: from, receivedBeforeMs: before, search } = query;
  return sql`
    ${from === undefined ? sql`` : sql`AND received_at_ms >= ${from}::bigint`}
    ${before === undefined ? sql`` : sql`AND received_at_ms < ${before}::bigint`}
    ${
      search === undefined
        ? sql``
        : sql`AND (id = ${search} OR object_id = ${search} OR inquiry_id = ${search} OR ${userEvents(sql, t, search)})`
    }`;
}

export function createPostgresDashboardReads(sql: Db, t: Tables): PostgresDashboardReads {
  return {
    async listVerifications(inquiryIds) {
      if (inquiryIds.length === 0) return [];
      const rows = await sql<VerificationRow[]>`
        SELECT verification_id, inquiry_id, verification_type, status, status_at_ms
        FROM ${t.verifications} WHERE inquiry_id IN ${sql(inquiryIds as string[])}
        ORDER BY inquiry_id, status_at_ms, verification_id`;
      return rows.map(toVerificationView);
    },

    async timeline(query) {
      const limit = timelineLimit(query);
      const where =
        'inquiryId' in query ? sql`inquiry_id = ${query.inquiryId}` : userEvents(sql, t, query.referenceId);
      const rows = await sql<EventSummaryRow[]>`
        SELECT ${summaryColumns(sql)} FROM ${t.events} WHERE ${where}
        ORDER BY created_at_ms DESC, id DESC LIMIT ${limit + 1}`;
      return toTimeline(rows, limit);
    },

    async receivedPerMinute(sinceMs) {
      const rows = await sql<MinuteCountRow[]>`
        SELECT (received_at_ms / 60000) * 60000 AS minute_ms, count(*) AS n FROM ${t.events}
        WHERE received_at_ms >= ${sinceMs}::bigint GROUP BY 1 ORDER BY 1`;
      return rows.map(toMinuteCount);
    },

    async inboxTimes() {
      const [row] = await sql<{ oldest_open: number | null; last_received: number | null }[]>`
        SELECT
          (SELECT min(received_at_ms) FROM ${t.events} WHERE status NOT IN ('done', 'dead')) AS oldest_open,
          (SELECT max(received_at_ms) FROM ${t.events}) AS last_received`;
      return {
        oldestOpenReceivedAtMs: row?.oldest_open ?? null,
        lastReceivedAtMs: row?.last_received ?? null,
      };
    },
  };
}
