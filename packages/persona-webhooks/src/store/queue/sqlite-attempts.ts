/**
 * The `event_attempts` rows the SQLite queue opens on a claim and closes on an outcome: one row per
 * attempt, so an operator can read an event's history after it is done, dead or replayed.
 */
import type { PrepareCached } from '../sqlite/statement-cache.js';
import type { ClaimedEvent } from './work-queue.js';

const FINISH_ATTEMPT_SQL = `UPDATE event_attempts SET finished_at_ms = @now, outcome = @outcome, error = @error
WHERE event_id = @id AND attempt = @attempt AND finished_at_ms IS NULL`;

/** Closes the claim's open attempt with its outcome (`done`, `retry` or `dead`). */
export function finishAttempt(
  prepare: PrepareCached,
  claim: ClaimedEvent,
  nowMs: number,
  outcome: string,
  error: string | null,
): void {
  prepare(FINISH_ATTEMPT_SQL).run({ id: claim.id, attempt: claim.attempt, now: nowMs, outcome, error });
}
