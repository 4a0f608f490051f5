/**
 * Applies KYC projection updates inside the transaction that completes the event, with the same rules
 * as the SQLite store (`../sqlite/projection-sql.ts`): a status is replaced only by a non-null status
 * whose (created-at, event id) is greater; reference/account ids, inquiry created-at and redacted-at
 * are first-known-wins. A row first created without a status starts at (0, ''), which every real
 * status beats.
 *
 * The statements are returned unsent, so the caller can pipeline them with the rest of its transaction
 * (one round trip for all of them); they run in the order given, each seeing the ones before it.
 *
 * Concurrency: `ON CONFLICT … DO UPDATE` locks the conflicting row and re-reads its latest committed
 * version, so two instances completing events of one inquiry at once are serialised and the
 * comparison always sees the winner so far: the newest event wins whatever the interleaving.
 */
import type { PendingQuery, Row } from 'postgres';
import type {
  InquiryStatusUpdate,
  ProjectionUpdate,
  ScrubBodiesUpdate,
  VerificationStatusUpdate,
} from '../../kyc/projection-update.js';
import type { Tx } from './connect.js';
import type { Tables } from './tables.js';

/** The newest-wins predicate over the existing row `alias` and the proposed EXCLUDED row. */
function newerPredicate(alias: 'i' | 'v'): string {
  return `(EXCLUDED.status IS NOT NULL
    AND (EXCLUDED.status_at_ms, EXCLUDED.status_event_id) > (${alias}.status_at_ms, ${alias}.status_event_id))`;
}
const NEWER_INQUIRY = newerPredicate('i');
const NEWER_VERIFICATION = newerPredicate('v');

// The WHERE skips no-op updates, so `updated_at_ms` moves only when the row really changed.
const INQUIRY_CHANGED = `${NEWER_INQUIRY}
  OR (i.reference_id IS NULL AND EXCLUDED.reference_id IS NOT NULL)
  OR (i.account_id IS NULL AND EXCLUDED.account_id IS NOT NULL)
  OR (i.inquiry_created_at_ms IS NULL AND EXCLUDED.inquiry_created_at_ms IS NOT NULL)
  OR (i.redacted_at_ms IS NULL AND EXCLUDED.redacted_at_ms IS NOT NULL)`;
const VERIFICATION_CHANGED = `${NEWER_VERIFICATION}
  OR (v.inquiry_id IS NULL AND EXCLUDED.inquiry_id IS NOT NULL)`;

/** One statement per update (a scrub may need two), in order, built on `tx` but not yet sent. */
export function updateStatements(
  tx: Tx,
  t: Tables,
  updates: readonly ProjectionUpdate[],
  nowMs: number,
): PendingQuery<Row[]>[] {
  return updates.flatMap((update) => {
    if (update.kind === 'inquiry') return [upsertInquiry(tx, t, update, nowMs)];
    if (update.kind === 'verification') return [upsertVerification(tx, t, update)];
    return scrubBodies(tx, t, update);
  });
}

// Without a status the row's ordering key starts below every real one (see the file comment).
function statusKey(status: string | null, statusAtMs: number, eventId: string) {
  return status === null ? { atMs: 0, eventId: '' } : { atMs: statusAtMs, eventId };
}

function upsertInquiry(tx: Tx, t: Tables, u: InquiryStatusUpdate, nowMs: number) {
  const key = statusKey(u.status, u.statusAtMs, u.eventId);
  const newer = tx.unsafe(NEWER_INQUIRY);
  return tx`
    INSERT INTO ${t.inquiries} AS i (inquiry_id, reference_id, account_id, status, status_at_ms, status_event_id,
      inquiry_created_at_ms, redacted_at_ms, updated_at_ms)
    VALUES (${u.inquiryId}, ${u.referenceId}, ${u.accountId}, ${u.status}, ${key.atMs}, ${key.eventId},
      ${u.inquiryCreatedAtMs}, ${u.redactedAtMs}, ${nowMs})
    ON CONFLICT (inquiry_id) DO UPDATE SET
      status = CASE WHEN ${newer} THEN EXCLUDED.status ELSE i.status END,
      status_at_ms = CASE WHEN ${newer} THEN EXCLUDED.status_at_ms ELSE i.status_at_ms END,
      status_event_id = CASE WHEN ${newer} THEN EXCLUDED.status_event_id ELSE i.status_event_id END,
      reference_id = COALESCE(i.reference_id, EXCLUDED.reference_id),
      account_id = COALESCE(i.account_id, EXCLUDED.account_id),
      inquiry_created_at_ms = COALESCE(i.inquiry_created_at_ms, EXCLUDED.inquiry_created_at_ms),
      redacted_at_ms = COALESCE(i.redacted_at_ms, EXCLUDED.redacted_at_ms),
      updated_at_ms = EXCLUDED.updated_at_ms
    WHERE ${tx.unsafe(INQUIRY_CHANGED)}`;
}

function upsertVerification(tx: Tx, t: Tables, u: VerificationStatusUpdate) {
  const key = statusKey(u.status, u.statusAtMs, u.eventId);
  const newer = tx.unsafe(NEWER_VERIFICATION);
  return tx`
    INSERT INTO ${t.verifications} AS v (verification_id, inquiry_id, verification_type, status, status_at_ms,
      status_event_id)
    VALUES (${u.verificationId}, ${u.inquiryId}, ${u.verificationType}, ${u.status}, ${key.atMs}, ${key.eventId})
    ON CONFLICT (verification_id) DO UPDATE SET
      status = CASE WHEN ${newer} THEN EXCLUDED.status ELSE v.status END,
      status_at_ms = CASE WHEN ${newer} THEN EXCLUDED.status_at_ms ELSE v.status_at_ms END,
      status_event_id = CASE WHEN ${newer} THEN EXCLUDED.status_event_id ELSE v.status_event_id END,
      inquiry_id = COALESCE(v.inquiry_id, EXCLUDED.inquiry_id)
    WHERE ${tx.unsafe(VERIFICATION_CHANGED)}`;
}

function scrubBodies(tx: Tx, t: Tables, u: ScrubBodiesUpdate) {
  const statements: PendingQuery<Row[]>[] = [];
  if (u.inquiryId !== null) {
    statements.push(
      tx`UPDATE ${t.events} SET body = NULL WHERE inquiry_id = ${u.inquiryId} AND body IS NOT NULL`,
    );
  }
  if (u.accountId !== null) {
    statements.push(
      tx`UPDATE ${t.events} SET body = NULL WHERE account_id = ${u.accountId} AND body IS NOT NULL`,
    );
  }
  return statements;
}
