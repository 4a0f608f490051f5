/**
 * Reads for the admin API, the CLI and `/metrics`, with the same shapes and orderings as
 * `../sqlite/read-model.ts`: events newest-received first with the shared opaque keyset cursor, a
 * user's inquiries most recently created first.
 */
import { decodeEventCursor, encodeEventCursor } from '../event-cursor.js';
import type {
  AttemptRecord,
  EventDetail,
  EventPage,
  EventStatus,
  EventSummary,
  InboxCounts,
  InquiryView,
  KycView,
  ListEventsQuery,
  VerificationView,
} from '../store.js';
import type { Db } from './connect.js';
import type { Tables } from './tables.js';

interface SummaryRow {
  id: string;
  name: string;
  status: EventStatus;
  attempts: number;
  created_at: string;
  received_at_ms: number;
  last_error: string | null;
}

interface DetailRow extends SummaryRow {
  object_type: string | null;
  object_id: string | null;
  run_at_ms: number;
  body: Buffer | null;
}

interface AttemptRow {
  attempt: number;
  started_at_ms: number;
  finished_at_ms: number | null;
  outcome: AttemptRecord['outcome'];
  error: string | null;
}

interface InquiryRow {
  inquiry_id: string;
  reference_id: string | null;
  account_id: string | null;
  status: string | null;
  status_at_ms: number;
  inquiry_created_at_ms: number | null;
  redacted_at_ms: number | null;
  updated_at_ms: number;
}

interface VerificationRow {
  verification_id: string;
  inquiry_id: string | null;
  verification_type: string;
  status: string | null;
  status_at_ms: number;
}

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
  const summaryColumns = sql`id, name, status, attempts, created_at, received_at_ms, last_error`;
  const inquiryColumns = sql`inquiry_id, reference_id, account_id, status, status_at_ms, inquiry_created_at_ms,
    redacted_at_ms, updated_at_ms`;

  return {
    async getEvent(eventId) {
      const [row] = await sql<DetailRow[]>`
        SELECT ${summaryColumns}, object_type, object_id, run_at_ms, body FROM ${t.events} WHERE id = ${eventId}`;
      if (!row) return null;
      const attempts = await sql<AttemptRow[]>`
        SELECT attempt, started_at_ms, finished_at_ms, outcome, error
        FROM ${t.attempts} WHERE event_id = ${eventId} ORDER BY seq`;
      return {
        ...toSummary(row),
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
    },

    async listEvents(query) {
      // Decoded before querying: a bad cursor is the caller's error (400), not an outage.
      const after = query.cursor === undefined ? undefined : decodeEventCursor(query.cursor);
      const rows = await sql<SummaryRow[]>`
        SELECT ${summaryColumns} FROM ${t.events}
        WHERE TRUE
          ${query.status === undefined ? sql`` : sql`AND status = ${query.status}`}
          ${query.name === undefined ? sql`` : sql`AND name = ${query.name}`}
          ${after === undefined ? sql`` : sql`AND (received_at_ms, id) < (${after.receivedAtMs}::bigint, ${after.id}::text)`}
        ORDER BY received_at_ms DESC, id DESC
        LIMIT ${query.limit + 1}`;
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const more = rows.length > query.limit && last !== undefined;
      return {
        events: page.map(toSummary),
        nextCursor: more ? encodeEventCursor({ receivedAtMs: last.received_at_ms, id: last.id }) : null,
      };
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
      return row ? toInquiry(row) : null;
    },

    async getKyc(referenceId) {
      // A user's current inquiry is the most recently created one; before its created-at is known, the
      // time of its latest status stands in.
      const rows = await sql<InquiryRow[]>`
        SELECT ${inquiryColumns} FROM ${t.inquiries} WHERE reference_id = ${referenceId}
        ORDER BY COALESCE(inquiry_created_at_ms, status_at_ms) DESC, status_at_ms DESC, inquiry_id DESC`;
      const inquiries = rows.map(toInquiry);
      const current = inquiries[0];
      if (!current) return null;
      return {
        referenceId,
        status: current.status,
        inquiryId: current.inquiryId,
        updatedAtMs: Math.max(...inquiries.map((inquiry) => inquiry.updatedAtMs)),
        inquiries,
      };
    },

    async getVerification(verificationId) {
      const [row] = await sql<VerificationRow[]>`
        SELECT verification_id, inquiry_id, verification_type, status, status_at_ms
        FROM ${t.verifications} WHERE verification_id = ${verificationId}`;
      if (!row) return null;
      return {
        verificationId: row.verification_id,
        inquiryId: row.inquiry_id,
        verificationType: row.verification_type,
        status: row.status,
        statusAtMs: row.status_at_ms,
      };
    },
  };
}

function toSummary(row: SummaryRow): EventSummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    attempts: row.attempts,
    createdAt: row.created_at,
    receivedAtMs: row.received_at_ms,
    lastError: row.last_error,
  };
}

function toInquiry(row: InquiryRow): InquiryView {
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
