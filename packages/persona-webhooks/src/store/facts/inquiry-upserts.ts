/**
 * The KYC projection's upserts, one text for both stores (SQLite binds the `@name` placeholders as
 * they are; PostgreSQL renders them with `named-params.ts`). The "newest created-at wins" rule lives
 * in the statements themselves, so it holds whatever order events are processed in: a status is only
 * replaced by a non-null status whose (created-at, event id) is greater than the one that set it;
 * identifying facts (reference id, account id, inquiry created-at, redacted-at) are first-known-wins
 * and never cleared. A row first created by an update without a status gets (0, ''), which every real
 * status beats.
 *
 * On PostgreSQL, `ON CONFLICT … DO UPDATE` locks the conflicting row and re-reads its latest committed
 * version, so two instances completing events of one inquiry at once are serialised and the comparison
 * always sees the winner so far.
 */
import type { InquiryStatusUpdate, VerificationStatusUpdate } from '../../kyc/projection-update.js';

/** The newest-wins predicate over the existing row `alias` and the proposed EXCLUDED row. */
function newerStatus(alias: 'i' | 'v'): string {
  return `(EXCLUDED.status IS NOT NULL
    AND (EXCLUDED.status_at_ms, EXCLUDED.status_event_id) > (${alias}.status_at_ms, ${alias}.status_event_id))`;
}
const NEWER_INQUIRY = newerStatus('i');
const NEWER_VERIFICATION = newerStatus('v');

/**
 * Upserts one inquiry into `table` (`inquiries`, schema-qualified where needed). The WHERE skips no-op
 * updates, so `updated_at_ms` moves only when the row really changed.
 */
export function upsertInquirySql(table: string): string {
  return `INSERT INTO ${table} AS i (
  inquiry_id, reference_id, account_id, status, status_at_ms, status_event_id,
  inquiry_created_at_ms, redacted_at_ms, updated_at_ms
) VALUES (
  @inquiry_id, @reference_id, @account_id, @status, @status_at_ms, @status_event_id,
  @inquiry_created_at_ms, @redacted_at_ms, @now_ms
) ON CONFLICT (inquiry_id) DO UPDATE SET
  status = CASE WHEN ${NEWER_INQUIRY} THEN EXCLUDED.status ELSE i.status END,
  status_at_ms = CASE WHEN ${NEWER_INQUIRY} THEN EXCLUDED.status_at_ms ELSE i.status_at_ms END,
  status_event_id = CASE WHEN ${NEWER_INQUIRY} THEN EXCLUDED.status_event_id ELSE i.status_event_id END,
  reference_id = COALESCE(i.reference_id, EXCLUDED.reference_id),
  account_id = COALESCE(i.account_id, EXCLUDED.account_id),
  inquiry_created_at_ms = COALESCE(i.inquiry_created_at_ms, EXCLUDED.inquiry_created_at_ms),
  redacted_at_ms = COALESCE(i.redacted_at_ms, EXCLUDED.redacted_at_ms),
  updated_at_ms = EXCLUDED.updated_at_ms
WHERE ${NEWER_INQUIRY}
  OR (i.reference_id IS NULL AND EXCLUDED.reference_id IS NOT NULL)
  OR (i.account_id IS NULL AND EXCLUDED.account_id IS NOT NULL)
  OR (i.inquiry_created_at_ms IS NULL AND EXCLUDED.inquiry_created_at_ms IS NOT NULL)
  OR (i.redacted_at_ms IS NULL AND EXCLUDED.redacted_at_ms IS NOT NULL)`;
}

/** Upserts one verification into `table` (`verifications`, schema-qualified where needed). */
export function upsertVerificationSql(table: string): string {
  return `INSERT INTO ${table} AS v (
  verification_id, inquiry_id, verification_type, status, status_at_ms, status_event_id
) VALUES (
  @verification_id, @inquiry_id, @verification_type, @status, @status_at_ms, @status_event_id
) ON CONFLICT (verification_id) DO UPDATE SET
  status = CASE WHEN ${NEWER_VERIFICATION} THEN EXCLUDED.status ELSE v.status END,
  status_at_ms = CASE WHEN ${NEWER_VERIFICATION} THEN EXCLUDED.status_at_ms ELSE v.status_at_ms END,
  status_event_id = CASE WHEN ${NEWER_VERIFICATION} THEN EXCLUDED.status_event_id ELSE v.status_event_id END,
  inquiry_id = COALESCE(v.inquiry_id, EXCLUDED.inquiry_id)
WHERE ${NEWER_VERIFICATION}
  OR (v.inquiry_id IS NULL AND EXCLUDED.inquiry_id IS NOT NULL)`;
}

/** The ordering key a status starts from; without a status, below every real one. */
interface StatusKey {
  status: string | null;
  status_at_ms: number;
  status_event_id: string;
}

function statusKey(status: string | null, statusAtMs: number, eventId: string): StatusKey {
  return status === null
    ? { status: null, status_at_ms: 0, status_event_id: '' }
    : { status, status_at_ms: statusAtMs, status_event_id: eventId };
}

/** Named parameters of {@link upsertInquirySql}. */
export type InquiryParams = ReturnType<typeof inquiryParams>;

/** The parameters of {@link upsertInquirySql} for one update. */
export function inquiryParams(update: InquiryStatusUpdate, nowMs: number) {
  return {
    inquiry_id: update.inquiryId,
    reference_id: update.referenceId,
    account_id: update.accountId,
    ...statusKey(update.status, update.statusAtMs, update.eventId),
    inquiry_created_at_ms: update.inquiryCreatedAtMs,
    redacted_at_ms: update.redactedAtMs,
    now_ms: nowMs,
  };
}

/** Named parameters of {@link upsertVerificationSql}. */
export type VerificationParams = ReturnType<typeof verificationParams>;

/** The parameters of {@link upsertVerificationSql} for one update. */
export function verificationParams(update: VerificationStatusUpdate) {
  return {
    verification_id: update.verificationId,
    inquiry_id: update.inquiryId,
    verification_type: update.verificationType,
    ...statusKey(update.status, update.statusAtMs, update.eventId),
  };
}
