/**
 * Rows as both stores select them (the same column names in SQLite and PostgreSQL) and their mapping to
 * the views of `store.ts`, so the two read models differ only in their SQL.
 */
import type { KycDecision } from '../../kyc/decision.js';
import type { KycFacts } from '../../kyc/facts.js';
import { decisionFromRow } from '../decisions/kyc-decisions.js';
import type { EventSource } from '../inbox/inbox.js';
import type { EventStatus } from '../queue/work-queue.js';
import { encodeKeysetCursor, type KeysetCursor } from './keyset-cursor.js';
import type {
  AttemptRecord,
  EventDetail,
  EventPage,
  EventSummary,
  InboxCounts,
  InquiryView,
  KycPage,
  KycView,
  MinuteCount,
  Timeline,
  TimelineQuery,
  VerificationView,
} from './read-model.js';

export interface EventSummaryRow {
  id: string;
  name: string;
  status: EventStatus;
  attempts: number;
  created_at: string;
  created_at_ms: number;
  received_at_ms: number;
  last_error: string | null;
  inquiry_id: string | null;
  reference_id: string | null;
  source: EventSource;
}

/** The columns of {@link EventSummaryRow}, as both dialects select them. */
export const EVENT_SUMMARY_COLUMNS =
  'id, name, status, attempts, created_at, created_at_ms, received_at_ms, last_error, inquiry_id, reference_id, source';

export interface EventDetailRow extends EventSummaryRow {
  object_type: string | null;
  object_id: string | null;
  run_at_ms: number;
  body: Buffer | null;
}

export interface AttemptRow {
  attempt: number;
  started_at_ms: number;
  finished_at_ms: number | null;
  outcome: AttemptRecord['outcome'];
  error: string | null;
}

/** The columns of {@link InquiryRow}, as both dialects select them. */
export const INQUIRY_COLUMNS = `inquiry_id, reference_id, account_id, status, status_at_ms, inquiry_created_at_ms,
  redacted_at_ms, updated_at_ms`;

export interface InquiryRow {
  inquiry_id: string;
  reference_id: string | null;
  account_id: string | null;
  status: string | null;
  status_at_ms: number;
  inquiry_created_at_ms: number | null;
  redacted_at_ms: number | null;
  updated_at_ms: number;
}

/** The columns of {@link VerificationRow}, as both dialects select them. */
export const VERIFICATION_COLUMNS = 'verification_id, inquiry_id, verification_type, status, status_at_ms';

export interface VerificationRow {
  verification_id: string;
  inquiry_id: string | null;
  verification_type: string;
  status: string | null;
  status_at_ms: number;
}

export function toEventSummary(row: EventSummaryRow): EventSummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    attempts: row.attempts,
    createdAt: row.created_at,
    createdAtMs: row.created_at_ms,
    receivedAtMs: row.received_at_ms,
    lastError: row.last_error,
    inquiryId: row.inquiry_id,
    referenceId: row.reference_id,
    source: row.source,
  };
}

export function toEventDetail(row: EventDetailRow, attempts: readonly AttemptRow[]): EventDetail {
  return {
    ...toEventSummary(row),
    objectType: row.object_type,
    objectId: row.object_id,
    runAtMs: row.run_at_ms,
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      startedAtMs: a.started_at_ms,
      finishedAtMs: a.finished_at_ms,
      outcome: a.outcome,
      error: a.error,
    })),
    payload: row.body === null ? null : row.body.toString('utf8'),
  };
}

/** Queue counts from `status, count(*)` rows: a status no event has counts 0. */
export function toInboxCounts(rows: Iterable<{ status: EventStatus; n: number }>): InboxCounts {
  const counts: InboxCounts = { pending: 0, processing: 0, done: 0, dead: 0 };
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}

/** `listEvents` and `listKyc` page size when the query names none, and the largest they accept. */
export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 500;

/** The page size of a `listEvents` or `listKyc` query; throws `RangeError` outside 1–500. */
export function listLimit(query: { limit?: number | undefined }): number {
  const limit = query.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new RangeError(`A list's limit must be an integer from 1 to ${MAX_LIST_LIMIT}.`);
  }
  return limit;
}

/**
 * One page of `listEvents`: the query asked for `limit + 1` rows, newest received first, so a surplus row
 * means there is a next page, which starts after the last row shown.
 */
export function toEventPage(rows: readonly EventSummaryRow[], limit: number): EventPage {
  const { page, nextCursor } = keysetPage(rows, limit, (last) => ({
    atMs: last.received_at_ms,
    id: last.id,
  }));
  return { events: page.map(toEventSummary), nextCursor };
}

/** The first `limit` of `limit + 1` rows, and the cursor after the last of them when there are more. */
function keysetPage<Row>(
  rows: readonly Row[],
  limit: number,
  position: (last: Row) => KeysetCursor,
): { page: Row[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    page,
    nextCursor: rows.length > limit && last !== undefined ? encodeKeysetCursor(position(last)) : null,
  };
}

/** `timeline` size when the query names none, and the largest it accepts. */
export const DEFAULT_TIMELINE_LIMIT = 500;
export const MAX_TIMELINE_LIMIT = 1_000;

/** The size of a `timeline` query; throws `RangeError` outside 1–1000. */
export function timelineLimit(query: TimelineQuery): number {
  const limit = query.limit ?? DEFAULT_TIMELINE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TIMELINE_LIMIT) {
    throw new RangeError(`timeline limit must be an integer from 1 to ${MAX_TIMELINE_LIMIT}.`);
  }
  return limit;
}

/**
 * A timeline from `limit + 1` rows selected newest created first: a surplus row means older events
 * were left out; the rest is returned oldest first.
 */
export function toTimeline(rows: readonly EventSummaryRow[], limit: number): Timeline {
  return { events: rows.slice(0, limit).reverse().map(toEventSummary), truncated: rows.length > limit };
}

export interface MinuteCountRow {
  minute_ms: number;
  n: number;
}

export function toMinuteCount(row: MinuteCountRow): MinuteCount {
  return { minuteMs: Number(row.minute_ms), count: Number(row.n) };
}

export function toInquiryView(row: InquiryRow): InquiryView {
  return {
    inquiryId: row.inquiry_id,
    referenceId: row.reference_id,
    accountId: row.account_id,
    status: row.status,
    statusAtMs: row.status_at_ms,
    inquiryCreatedAtMs: row.inquiry_created_at_ms,
    redactedAtMs: row.redacted_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

/**
 * A user's view: their inquiries (most recent first), their facts, and their decision (the stored
 * one, which the change that set it was committed with; `decided` stands in before there is one).
 * Null only when nothing at all is known of them: a user whose account or case arrived before any
 * inquiry has a decision (`no_inquiry`, and whatever their case says) and may already have been sent
 * to the application, so they are shown too.
 */
export function toKycView(
  referenceId: string,
  rows: readonly InquiryRow[],
  facts: KycFacts,
  decided: KycDecision,
): KycView | null {
  const inquiries = rows.map(toInquiryView);
  const { transactions, cases, reports, accounts } = facts;
  if (inquiries.length + transactions.length + cases.length + reports.length + accounts.length === 0)
    return null;
  const current = inquiries[0];
  return {
    referenceId,
    status: current?.status ?? null,
    inquiryId: current?.inquiryId ?? null,
    updatedAtMs: current ? Math.max(...inquiries.map((inquiry) => inquiry.updatedAtMs)) : null,
    inquiries,
    decision: decided.decision,
    reasons: decided.reasons,
    transactions,
    cases,
    reports,
    accounts,
  };
}

export function toVerificationView(row: VerificationRow): VerificationView {
  return {
    verificationId: row.verification_id,
    inquiryId: row.inquiry_id,
    verificationType: row.verification_type,
    status: row.status,
    statusAtMs: row.status_at_ms,
  };
}

/** A row of `listKyc` (`kyc-list-sql.ts`): a stored decision and its user's newest inquiry. */
export interface KycSummaryRow {
  reference_id: string;
  decision: string;
  reasons: string;
  updated_at_ms: number;
  event_id: string | null;
  inquiry_id: string | null;
  status: string | null;
}

/**
 * One page of `listKyc` from `limit + 1` rows, newest change first: a surplus row means there is a next
 * page, which starts after the last row shown.
 */
export function toKycPage(rows: readonly KycSummaryRow[], limit: number): KycPage {
  const { page, nextCursor } = keysetPage(rows, limit, (last) => ({
    atMs: last.updated_at_ms,
    id: last.reference_id,
  }));
  return {
    users: page.map((row) => ({
      referenceId: row.reference_id,
      ...decisionFromRow(row),
      changedAtMs: row.updated_at_ms,
      changedByEventId: row.event_id,
      inquiryId: row.inquiry_id,
      status: row.status,
    })),
    nextCursor,
  };
}
