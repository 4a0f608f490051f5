/**
 * Reads for the admin API, the CLI and `/metrics`, with the same shapes and orderings as
 * `../sqlite/read-model.ts`: events newest-received first with the shared opaque keyset cursor, a
 * user's inquiries most recently created first.
 */
import { decodeEventCursor } from '../event-cursor.js';
import {
  type AttemptRow,
  type EventDetailRow,
  type EventSummaryRow,
  type InquiryRow,
  listLimit,
  toEventDetail,
  toEventPage,
  toInquiryView,
  toKycView,
  toVerificationView,
  type VerificationRow,
} from '../row-views.js';
import type {
  EventDetail,
  EventPage,
  EventStatus,
  InboxCounts,
  InquiryView,
  KycView,
  ListEventsQuery,
  VerificationView,
} from '../store.js';
import type { Db } from './connect.js';
import { summaryColumns as eventSummaryColumns, listEventsFilters } from './dashboard-reads.js';
import type { Tables } from './tables.js';

/** Read operations over one pool. */
export interface PostgresReadModel {
  getEvent(eventId: string): Promise<EventDetail | null>;
  listEvents(query: ListEventsQuery): Promise<EventPage>;
  counts(): Promise<InboxCounts>;
  getInquiry(inquiryId: string): Promise<InquiryView | null>;
  getKyc(referenceId: string): Promise<KycView | null>;
  getVerification(verificationId: string): Promise<VerificationView | null>;
}

/** Builds the read operations over a migrated schema. */
export function createPostgresReadModel(sql: Db, t: Tables): PostgresReadModel {
  const summaryColumns = eventSummaryColumns(sql);
  const inquiryColumns = sql`inquiry_id, reference_id, account_id, status, status_at_ms, inquiry_created_at_ms,
    redacted_at_ms, updated_at_ms`;

  return {
    async getEvent(eventId) {
      const [row] = await sql<EventDetailRow[]>`
        SELECT ${summaryColumns}, object_type, object_id, run_at_ms, body FROM ${t.events} WHERE id = ${eventId}`;
      if (!row) return null;
      const attempts = await sql<AttemptRow[]>`
        SELECT attempt, started_at_ms, finished_at_ms, outcome, error
        FROM ${t.attempts} WHERE event_id = ${eventId} ORDER BY seq`;
      return toEventDetail(row, attempts);
    },

    async listEvents(query) {
      // Checked before querying: a bad cursor or limit is the caller's error (400), not an outage.
      const limit = listLimit(query);
      const after = query.cursor === undefined ? undefined : decodeEventCursor(query.cursor);
      const rows = await sql<EventSummaryRow[]>`
        SELECT ${summaryColumns} FROM ${t.events}
        WHERE TRUE
          ${query.status === undefined ? sql`` : sql`AND status = ${query.status}`}
          ${query.name === undefined ? sql`` : sql`AND name = ${query.name}`}
          ${listEventsFilters(sql, t, query)}
          ${after === undefined ? sql`` : sql`AND (received_at_ms, id) < (${after.receivedAtMs}::bigint, ${after.id}::text)`}
        ORDER BY received_at_ms DESC, id DESC
        LIMIT ${limit + 1}`;
      return toEventPage(rows, limit);
    },

    async counts() {
      const counts: InboxCounts = { pending: 0, processing: 0, done: 0, dead: 0 };
      const rows = await sql<{ status: EventStatus; n: number }[]>`
        SELECT status, count(*) AS n FROM ${t.events} GROUP BY status`;
      for (const row of rows) counts[row.status] = row.n;
      return counts;
    },

    async getInquiry(inquiryId) {
      const [row] = await sql<InquiryRow[]>`
        SELECT ${inquiryColumns} FROM ${t.inquiries} WHERE inquiry_id = ${inquiryId}`;
      return row ? toInquiryView(row) : null;
    },

    async getKyc(referenceId) {
      // A user's current inquiry is the most recently created one; before its created-at is known, the
      // time of its latest status stands in.
      const rows = await sql<InquiryRow[]>`
        SELECT ${inquiryColumns} FROM ${t.inquiries} WHERE reference_id = ${referenceId}
        ORDER BY COALESCE(inquiry_created_at_ms, status_at_ms) DESC, status_at_ms DESC, inquiry_id DESC`;
      return toKycView(referenceId, rows);
    },

    async getVerification(verificationId) {
      const [row] = await sql<VerificationRow[]>`
        SELECT verification_id, inquiry_id, verification_type, status, status_at_ms
        FROM ${t.verifications} WHERE verification_id = ${verificationId}`;
      return row ? toVerificationView(row) : null;
    },
  };
}
