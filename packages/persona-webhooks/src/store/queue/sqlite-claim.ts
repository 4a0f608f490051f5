/**
 * The SQLite claim: picks due events in processing order, leases them and opens their attempts, in
 * the caller's transaction (the queue runs it IMMEDIATE, so no other process can lease the same rows).
 */
import { randomUUID } from 'node:crypto';
import { LEASE_EXPIRED_ERROR } from '../inbox/inbox-rows.js';
import type { SqliteDatabase, SqliteTransaction } from '../sqlite/driver.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import type { ClaimedEvent, ClaimOptions } from './work-queue.js';

// Walks the partial `events_claim` index in processing order and stops at the limit. Left to itself
// the planner picks the status index and sorts every open row: 40 ms vs 0.06 ms per claim with a
// 100k backlog. `status IN (…)` repeats the index's WHERE, which INDEXED BY requires.
const SELECT_DUE_SQL = `SELECT id, name, created_at_ms, event_bodies.body, attempts, status
FROM events INDEXED BY events_claim LEFT JOIN event_bodies ON event_bodies.event_id = events.id
WHERE status IN ('pending', 'processing')
  AND ((status = 'pending' AND run_at_ms <= @now) OR (status = 'processing' AND lease_expires_at_ms <= @now))
ORDER BY created_at_ms, id
LIMIT @limit`;

const LEASE_SQL = `UPDATE events
SET status = 'processing', attempts = @attempt, lease_token = @token, lease_expires_at_ms = @expires
WHERE id = @id`;

const START_ATTEMPT_SQL = 'INSERT INTO event_attempts (event_id, attempt, started_at_ms) VALUES (?, ?, ?)';

const FINISH_ABANDONED_ATTEMPTS_SQL = `UPDATE event_attempts SET finished_at_ms = ?, outcome = 'retry', error = ?
WHERE event_id = ? AND finished_at_ms IS NULL`;

interface DueRow {
  id: string;
  name: string;
  created_at_ms: number;
  body: Buffer | null;
  attempts: number;
  status: 'pending' | 'processing';
}

/** Builds the claim transaction; run it with `.immediate(options)`. */
export function createSqliteClaim(
  db: SqliteDatabase,
  prepare: PrepareCached,
): SqliteTransaction<(options: ClaimOptions) => ClaimedEvent[]> {
  return db.transaction(({ limit, leaseMs, nowMs }: ClaimOptions): ClaimedEvent[] => {
    const due = prepare(SELECT_DUE_SQL).all({ now: nowMs, limit }) as DueRow[];
    return due.map((row) => {
      if (row.status === 'processing') {
        prepare(FINISH_ABANDONED_ATTEMPTS_SQL).run(nowMs, LEASE_EXPIRED_ERROR, row.id);
      }
      const attempt = row.attempts + 1;
      const leaseToken = randomUUID();
      prepare(LEASE_SQL).run({ id: row.id, attempt, token: leaseToken, expires: nowMs + leaseMs });
      prepare(START_ATTEMPT_SQL).run(row.id, attempt, nowMs);
      return {
        id: row.id,
        name: row.name,
        createdAtMs: row.created_at_ms,
        body: row.body,
        attempt,
        leaseToken,
      };
    });
  });
}
