/**
 * Applies KYC projection updates in SQL, inside the transaction that marks the event done. The
 * "newest created-at wins" rule lives in the UPSERTs themselves, so it holds whatever order events
 * are processed in. A status is only replaced by a non-null status whose (created-at, event id) is
 * greater than the one that set it; identifying facts (reference id, account id, inquiry created-at,
 * redacted-at) are first-known-wins and are never cleared.
 *
 * A row first created by an update without a status gets `status_at_ms = 0, status_event_id = ''`,
 * which every real status beats.
 */
import type {
  InquiryStatusUpdate,
  ProjectionUpdate,
  ScrubBodiesUpdate,
  VerificationStatusUpdate,
} from '../../kyc/projection-update.js';
import type { PrepareCached } from './statement-cache.js';

const NEWER_INQUIRY_STATUS = `(excluded.status IS NOT NULL
  AND (excluded.status_at_ms, excluded.status_event_id) > (inquiries.status_at_ms, inquiries.status_event_id))`;

const UPSERT_INQUIRY_SQL = `INSERT INTO inquiries (
  inquiry_id, reference_id, account_id, status, status_at_ms, status_event_id,
  inquiry_created_at_ms, redacted_at_ms, updated_at_ms
) VALUES (
  @inquiry_id, @reference_id, @account_id, @status, @status_at_ms, @status_event_id,
  @inquiry_created_at_ms, @redacted_at_ms, @now_ms
) ON CONFLICT (inquiry_id) DO UPDATE SET
  status = CASE WHEN ${NEWER_INQUIRY_STATUS} THEN excluded.status ELSE inquiries.status END,
  status_at_ms = CASE WHEN ${NEWER_INQUIRY_STATUS} THEN excluded.status_at_ms ELSE inquiries.status_at_ms END,
  status_event_id = CASE WHEN ${NEWER_INQUIRY_STATUS} THEN excluded.status_event_id ELSE inquiries.status_event_id END,
  reference_id = COALESCE(inquiries.reference_id, excluded.reference_id),
  account_id = COALESCE(inquiries.account_id, excluded.account_id),
  inquiry_created_at_ms = COALESCE(inquiries.inquiry_created_at_ms, excluded.inquiry_created_at_ms),
  redacted_at_ms = COALESCE(inquiries.redacted_at_ms, excluded.redacted_at_ms),
  updated_at_ms = excluded.updated_at_ms
WHERE ${NEWER_INQUIRY_STATUS}
  OR (inquiries.reference_id IS NULL AND excluded.reference_id IS NOT NULL)
  OR (inquiries.account_id IS NULL AND excluded.account_id IS NOT NULL)
  OR (inquiries.inquiry_created_at_ms IS NULL AND excluded.inquiry_created_at_ms IS NOT NULL)
  OR (inquiries.redacted_at_ms IS NULL AND excluded.redacted_at_ms IS NOT NULL)`;

const NEWER_VERIFICATION_STATUS = `(excluded.status IS NOT NULL
  AND (excluded.status_at_ms, excluded.status_event_id) > (verifications.status_at_ms, verifications.status_event_id))`;

const UPSERT_VERIFICATION_SQL = `INSERT INTO verifications (
  verification_id, inquiry_id, verification_type, status, status_at_ms, status_event_id
) VALUES (
  @verification_id, @inquiry_id, @verification_type, @status, @status_at_ms, @status_event_id
) ON CONFLICT (verification_id) DO UPDATE SET
  status = CASE WHEN ${NEWER_VERIFICATION_STATUS} THEN excluded.status ELSE verifications.status END,
  status_at_ms = CASE WHEN ${NEWER_VERIFICATION_STATUS} THEN excluded.status_at_ms ELSE verifications.status_at_ms END,
  status_event_id = CASE WHEN ${NEWER_VERIFICATION_STATUS} THEN excluded.status_event_id ELSE verifications.status_event_id END,
  inquiry_id = COALESCE(verifications.inquiry_id, excluded.inquiry_id)
WHERE ${NEWER_VERIFICATION_STATUS}
  OR (verifications.inquiry_id IS NULL AND excluded.inquiry_id IS NOT NULL)`;

const SCRUB_BY_INQUIRY_SQL = 'UPDATE events SET body = NULL WHERE inquiry_id = ? AND body IS NOT NULL';
const SCRUB_BY_ACCOUNT_SQL = 'UPDATE events SET body = NULL WHERE account_id = ? AND body IS NOT NULL';

/** Applies every update; must run inside the caller's transaction. */
export function applyProjectionUpdates(
  prepare: PrepareCached,
  updates: readonly ProjectionUpdate[],
  nowMs: number,
): void {
  for (const update of updates) {
    switch (update.kind) {
      case 'inquiry':
        upsertInquiry(prepare, update, nowMs);
        break;
      case 'verification':
        upsertVerification(prepare, update);
        break;
      case 'scrub':
        scrubBodies(prepare, update);
        break;
    }
  }
}

// Without a status the row's ordering key starts below every real one (see the file comment).
function statusKey(status: string | null, statusAtMs: number, eventId: string) {
  return status === null
    ? { status: null, status_at_ms: 0, status_event_id: '' }
    : { status, status_at_ms: statusAtMs, status_event_id: eventId };
}

function upsertInquiry(prepare: PrepareCached, update: InquiryStatusUpdate, nowMs: number): void {
  prepare(UPSERT_INQUIRY_SQL).run({
    inquiry_id: update.inquiryId,
    reference_id: update.referenceId,
    account_id: update.accountId,
    ...statusKey(update.status, update.statusAtMs, update.eventId),
    inquiry_created_at_ms: update.inquiryCreatedAtMs,
    redacted_at_ms: update.redactedAtMs,
    now_ms: nowMs,
  });
}

function upsertVerification(prepare: PrepareCached, update: VerificationStatusUpdate): void {
  prepare(UPSERT_VERIFICATION_SQL).run({
    verification_id: update.verificationId,
    inquiry_id: update.inquiryId,
    verification_type: update.verificationType,
    ...statusKey(update.status, update.statusAtMs, update.eventId),
  });
}

function scrubBodies(prepare: PrepareCached, update: ScrubBodiesUpdate): void {
  if (update.inquiryId !== null) prepare(SCRUB_BY_INQUIRY_SQL).run(update.inquiryId);
  if (update.accountId !== null) prepare(SCRUB_BY_ACCOUNT_SQL).run(update.accountId);
}
