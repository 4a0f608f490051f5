/**
 * What an operator does to the SQLite queue by hand: replay one done or dead event, replay every dead
 * one, purge old bodies. Not on the worker's path, so none of these waits for the worker's sync mode.
 */
import { MALFORMED_ID_PREFIX } from '../inbox/inbox-rows.js';
import type { SqliteDatabase, SqliteTransaction } from '../sqlite/driver.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import type { ReplayOutcome } from './work-queue.js';

// The attempt counter restarts so a replayed event gets a full set of retries; event_attempts keeps
// the earlier history.
const REPLAY_COLUMNS = `status = 'pending', run_at_ms = @now, attempts = 0, lease_token = NULL,
  lease_expires_at_ms = NULL, processed_at_ms = NULL`;

const REPLAY_ONE_SQL = `UPDATE events SET ${REPLAY_COLUMNS} WHERE id = @id AND status IN ('done', 'dead')`;

const EVENT_EXISTS_SQL = 'SELECT 1 FROM events WHERE id = ?';

const PURGE_SQL = `DELETE FROM event_bodies
WHERE event_id IN (SELECT id FROM events WHERE received_at_ms < ?)`;

/** Builds the replay-one transaction; run it with `.immediate(eventId, nowMs)`. */
export function createSqliteReplayOne(
  db: SqliteDatabase,
  prepare: PrepareCached,
): SqliteTransaction<(eventId: string, nowMs: number) => ReplayOutcome> {
  // The update and, when it changed nothing, the look that says why, under one write lock.
  return db.transaction((eventId: string, nowMs: number): ReplayOutcome => {
    if (prepare(REPLAY_ONE_SQL).run({ id: eventId, now: nowMs }).changes > 0) return 'replayed';
    return prepare(EVENT_EXISTS_SQL).get(eventId) === undefined ? 'not_found' : 'already_queued';
  });
}

// Quarantined bodies are skipped: they failed parsing and would only die again. `replay(id)` still
// accepts one explicitly.
export function replayDead(
  prepare: PrepareCached,
  filter: { sinceMs?: number; name?: string },
  nowMs: number,
): number {
  const conditions = ["status = 'dead'", `substr(id, 1, ${MALFORMED_ID_PREFIX.length}) <> @malformed`];
  const params: Record<string, string | number> = { now: nowMs, malformed: MALFORMED_ID_PREFIX };
  if (filter.sinceMs !== undefined) {
    conditions.push('received_at_ms >= @since');
    params['since'] = filter.sinceMs;
  }
  if (filter.name !== undefined) {
    conditions.push('name = @name');
    params['name'] = filter.name;
  }
  return Number(
    prepare(`UPDATE events SET ${REPLAY_COLUMNS} WHERE ${conditions.join(' AND ')}`).run(params).changes,
  );
}

/** Deletes the bodies of events received before the cutoff; the event rows stay for deduplication. */
export function purgeBodies(prepare: PrepareCached, receivedBeforeMs: number): number {
  return Number(prepare(PURGE_SQL).run(receivedBeforeMs).changes);
}
