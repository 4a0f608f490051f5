/**
 * Reads for the admin API, the CLI and `/metrics`: event detail and listing, queue counts, and the
 * KYC read model. Plain SELECTs; WAL lets them run beside the writer without blocking it.
 */

import type { KycDecisionValue, KycPolicy } from '../../kyc/decision.js';
import type { KycFacts } from '../../kyc/facts.js';
import { decisionSql } from '../decisions/decision-sql.js';
import { decisionCounts, decisionFromRow } from '../decisions/kyc-decisions.js';
import { readSqliteDecision, readSqliteFacts } from '../decisions/sqlite-decisions.js';
import { PLAIN_KYC_TABLES } from '../facts/kyc-tables.js';
import { userObjectIdsSql } from '../facts/ownership-sql.js';
import type { EventStatus } from '../queue/work-queue.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import { decodeKeysetCursor } from './keyset-cursor.js';
import { kycListStatement, NEWEST_INQUIRY_FIRST } from './kyc-list-sql.js';
import type {
  EventDetail,
  EventPage,
  InboxCounts,
  InboxTimes,
  InquiryView,
  KycPage,
  KycView,
  ListEventsQuery,
  ListKycQuery,
  MinuteCount,
  Timeline,
  TimelineQuery,
  VerificationView,
} from './read-model.js';
import {
  type AttemptRow,
  EVENT_SUMMARY_COLUMNS,
  type EventDetailRow,
  type EventSummaryRow,
  type InquiryRow,
  type KycSummaryRow,
  listLimit,
  type MinuteCountRow,
  timelineLimit,
  toEventDetail,
  toEventPage,
  toInquiryView,
  toKycPage,
  toKycView,
  toMinuteCount,
  toTimeline,
  toVerificationView,
  type VerificationRow,
} from './row-views.js';

const DECISIONS = decisionSql(PLAIN_KYC_TABLES);

const SUMMARY_COLUMNS = EVENT_SUMMARY_COLUMNS;

const GET_EVENT_SQL = `SELECT ${SUMMARY_COLUMNS}, object_type, object_id, run_at_ms,
  (SELECT body FROM event_bodies WHERE event_id = events.id) AS body
FROM events WHERE id = ?`;
// rowid order is insertion order: a replayed event's attempt numbers restart, its history does not.
const GET_ATTEMPTS_SQL = `SELECT attempt, started_at_ms, finished_at_ms, outcome, error
FROM event_attempts WHERE event_id = ? ORDER BY rowid`;
const COUNTS_SQL = 'SELECT status, count(*) AS n FROM events GROUP BY status';
const INQUIRY_COLUMNS = `inquiry_id, reference_id, account_id, status, status_at_ms, inquiry_created_at_ms,
  redacted_at_ms, updated_at_ms`;
const GET_INQUIRY_SQL = `SELECT ${INQUIRY_COLUMNS} FROM inquiries WHERE inquiry_id = ?`;
const USER_INQUIRIES_SQL = `SELECT ${INQUIRY_COLUMNS} FROM inquiries WHERE reference_id = ?
ORDER BY ${NEWEST_INQUIRY_FIRST}`;
const VERIFICATION_COLUMNS = 'verification_id, inquiry_id, verification_type, status, status_at_ms';
const GET_VERIFICATION_SQL = `SELECT ${VERIFICATION_COLUMNS} FROM verifications WHERE verification_id = ?`;
const LIST_VERIFICATIONS_SQL = `SELECT ${VERIFICATION_COLUMNS} FROM verifications
WHERE inquiry_id IN (SELECT value FROM json_each(?))
ORDER BY inquiry_id, status_at_ms, verification_id`;
/**
 * A user's events: those that carried their reference id, belong to one of their inquiries, or are of
 * one of their cases, reports or accounts.
 */
const USER_EVENTS = `(reference_id = @reference_id
  OR inquiry_id IN (SELECT inquiry_id FROM inquiries WHERE reference_id = @reference_id)
  OR object_id IN (${userObjectIdsSql(PLAIN_KYC_TABLES, '@reference_id', 'sqlite')}))`;
const TIMELINE_BY_USER_SQL = `SELECT ${SUMMARY_COLUMNS} FROM events WHERE ${USER_EVENTS}
ORDER BY created_at_ms DESC, id DESC LIMIT @limit`;
const TIMELINE_BY_INQUIRY_SQL = `SELECT ${SUMMARY_COLUMNS} FROM events WHERE inquiry_id = @inquiry_id
ORDER BY created_at_ms DESC, id DESC LIMIT @limit`;
// Integer division: SQLite keeps integers integral, so this is the start of the minute.
const PER_MINUTE_SQL = `SELECT (received_at_ms / 60000) * 60000 AS minute_ms, count(*) AS n FROM events
WHERE received_at_ms >= ? GROUP BY minute_ms ORDER BY minute_ms`;
const INBOX_TIMES_SQL = `SELECT
  (SELECT min(received_at_ms) FROM events WHERE status IN ('pending', 'processing')) AS oldest_open,
  (SELECT max(received_at_ms) FROM events) AS last_received`;

/** Read operations bound to one connection. */
export interface SqliteReadModel {
  getEvent(eventId: string): EventDetail | null;
  listEvents(query: ListEventsQuery): EventPage;
  counts(): InboxCounts;
  getInquiry(inquiryId: string): InquiryView | null;
  getKyc(referenceId: string): KycView | null;
  getKycFacts(referenceId: string): KycFacts;
  countDecisions(): Record<KycDecisionValue, number>;
  listKyc(query: ListKycQuery): KycPage;
  getVerification(verificationId: string): VerificationView | null;
  listVerifications(inquiryIds: readonly string[]): VerificationView[];
  timeline(query: TimelineQuery): Timeline;
  receivedPerMinute(sinceMs: number): MinuteCount[];
  inboxTimes(): InboxTimes;
}

/** Builds the read operations over a migrated connection. */
export function createSqliteReadModel(prepare: PrepareCached, policy: KycPolicy): SqliteReadModel {
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
      if (query.receivedFromMs !== undefined) {
        conditions.push('received_at_ms >= @received_from');
        params['received_from'] = query.receivedFromMs;
      }
      if (query.receivedBeforeMs !== undefined) {
        conditions.push('received_at_ms < @received_before');
        params['received_before'] = query.receivedBeforeMs;
      }
      if (query.search !== undefined) {
        // Exact ids only, each served by its own index.
        conditions.push(`(id = @search OR object_id = @search OR inquiry_id = @search OR ${USER_EVENTS})`);
        params['search'] = query.search;
        params['reference_id'] = query.search;
      }
      if (query.cursor !== undefined) {
        const after = decodeKeysetCursor(query.cursor);
        conditions.push('(received_at_ms, id) < (@after_received, @after_id)');
        params['after_received'] = after.atMs;
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
      const rows = prepare(USER_INQUIRIES_SQL).all(referenceId) as InquiryRow[];
      const facts = readSqliteFacts(prepare, referenceId);
      const stored = readSqliteDecision(prepare, referenceId);
      return toKycView(referenceId, rows, facts, stored ? decisionFromRow(stored) : policy(facts));
    },

    getKycFacts: (referenceId) => readSqliteFacts(prepare, referenceId),

    countDecisions: () =>
      decisionCounts(prepare(DECISIONS.countDecisions).all() as { decision: string; n: number }[]),

    listKyc(query) {
      const { sql, params, limit } = kycListStatement(PLAIN_KYC_TABLES, query);
      return toKycPage(prepare(sql).all(params) as KycSummaryRow[], limit);
    },

    getVerification(verificationId) {
      const row = prepare(GET_VERIFICATION_SQL).get(verificationId) as VerificationRow | undefined;
      return row ? toVerificationView(row) : null;
    },

    listVerifications(inquiryIds) {
      if (inquiryIds.length === 0) return [];
      const rows = prepare(LIST_VERIFICATIONS_SQL).all(JSON.stringify(inquiryIds)) as VerificationRow[];
      return rows.map(toVerificationView);
    },

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
