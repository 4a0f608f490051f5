/**
 * Reads for the admin API, the CLI and `/metrics`: event detail and listing, queue counts, and the
 * KYC read model. Plain SELECTs; WAL lets them run beside the writer without blocking it.
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
import type { PrepareCached } from './statement-cache.js';

const SUMMARY_COLUMNS = 'id, name, status, attempts, created_at, received_at_ms, last_error, source';

const GET_EVENT_SQL = `SELECT ${SUMMARY_COLUMNS}, object_type, object_id, run_at_ms, body FROM events WHERE id = ?`;
// rowid order is insertion order: a replayed event's attempt numbers restart, its history does not.
const GET_ATTEMPTS_SQL = `SELECT attempt, started_at_ms, finished_at_ms, outcome, error
FROM event_attempts WHERE event_id = ? ORDER BY rowid`;
const COUNTS_SQL = 'SELECT status, count(*) AS n FROM events GROUP BY status';
const INQUIRY_COLUMNS = `inquiry_id, reference_id, account_id, status, status_at_ms, inquiry_created_at_ms,
  redacted_at_ms, updated_at_ms`;
const GET_INQUIRY_SQL = `SELECT ${INQUIRY_COLUMNS} FROM inquiries WHERE inquiry_id = ?`;
// A user's current inquiry is the most recently created one; before its created-at is known, the
// time of its latest status stands in.
const USER_INQUIRIES_SQL = `SELECT ${INQUIRY_COLUMNS} FROM inquiries WHERE reference_id = ?
ORDER BY COALESCE(inquiry_created_at_ms, status_at_ms) DESC, status_at_ms DESC, inquiry_id DESC`;
const GET_VERIFICATION_SQL = `SELECT verification_id, inquiry_id, verification_type, status, status_at_ms
FROM verifications WHERE verification_id = ?`;

/** Read operations bound to one connection. */
export interface SqliteReadModel {
  getEvent(eventId: string): EventDetail | null;
  listEvents(query: ListEventsQuery): EventPage;
  counts(): InboxCounts;
  getInquiry(inquiryId: string): InquiryView | null;
  getKyc(referenceId: string): KycView | null;
  getVerification(verificationId: string): VerificationView | null;
}

/** Builds the read operations over a migrated connection. */
export function createSqliteReadModel(prepare: PrepareCached): SqliteReadModel {
  return {
    getEvent(eventId) {
      const row = prepare(GET_EVENT_SQL).get(eventId) as EventDetailRow | undefined;
      if (!row) return null;
      return toEventDetail(row, prepare(GET_ATTEMPTS_SQL).all(eventId) as AttemptRow[]);
    },

    listEvents(query) {
      const limit = listLimit(query);
      const conditions: string[] = [];
      const params: Record<string, string | number> = { limit: limit + 1 };
      if (query.status !== undefined) {
        conditions.push('status = @status');
        params['status'] = query.status;
      }
      if (query.name !== undefined) {
        conditions.push('name = @name');
        params['name'] = query.name;
      }
      if (query.cursor !== undefined) {
        const after = decodeEventCursor(query.cursor);
        conditions.push('(received_at_ms, id) < (@after_received, @after_id)');
        params['after_received'] = after.receivedAtMs;
        params['after_id'] = after.id;
      }
      const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
      const sql = `SELECT ${SUMMARY_COLUMNS} FROM events ${where} ORDER BY received_at_ms DESC, id DESC LIMIT @limit`;
      return toEventPage(prepare(sql).all(params) as EventSummaryRow[], limit);
    },

    counts() {
      const counts: InboxCounts = { pending: 0, processing: 0, done: 0, dead: 0 };
      for (const row of prepare(COUNTS_SQL).all() as { status: EventStatus; n: number }[]) {
        counts[row.status] = row.n;
      }
      return counts;
    },

    getInquiry(inquiryId) {
      const row = prepare(GET_INQUIRY_SQL).get(inquiryId) as InquiryRow | undefined;
      return row ? toInquiryView(row) : null;
    },

    getKyc(referenceId) {
      return toKycView(referenceId, prepare(USER_INQUIRIES_SQL).all(referenceId) as InquiryRow[]);
    },

    getVerification(verificationId) {
      const row = prepare(GET_VERIFICATION_SQL).get(verificationId) as VerificationRow | undefined;
      return row ? toVerificationView(row) : null;
    },
  };
}
