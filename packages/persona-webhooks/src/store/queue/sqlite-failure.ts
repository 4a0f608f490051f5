/**
 * The SQLite failure record: a failed attempt puts its event back to pending at the retry time, or
 * dead when there is none, and closes the attempt with the error, if the lease is still ours.
 */
import { truncateError } from '../inbox/inbox-rows.js';
import type { SqliteDatabase, SqliteTransaction } from '../sqlite/driver.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import { finishAttempt } from './sqlite-attempts.js';
import type { ClaimedEvent } from './work-queue.js';

const FAIL_SQL = `UPDATE events
SET status = @status, run_at_ms = COALESCE(@retry_at, run_at_ms), last_error = @error,
  lease_token = NULL, lease_expires_at_ms = NULL
WHERE id = @id AND status = 'processing' AND lease_token = @token`;

type Fail = (claimed: ClaimedEvent, error: string, retryAtMs: number | null, nowMs: number) => boolean;

/** Builds the fail transaction; run it with `.immediate(…)`. False when the lease was lost. */
export function createSqliteFail(db: SqliteDatabase, prepare: PrepareCached): SqliteTransaction<Fail> {
  return db.transaction(
    (claimed: ClaimedEvent, error: string, retryAtMs: number | null, nowMs: number): boolean => {
      const text = truncateError(error);
      const status = retryAtMs === null ? 'dead' : 'pending';
      const changed = prepare(FAIL_SQL).run({
        id: claimed.id,
        token: claimed.leaseToken,
        status,
        retry_at: retryAtMs,
        error: text,
      }).changes;
      if (changed === 0) return false;
      finishAttempt(prepare, claimed, nowMs, retryAtMs === null ? 'dead' : 'retry', text);
      return true;
    },
  );
}
