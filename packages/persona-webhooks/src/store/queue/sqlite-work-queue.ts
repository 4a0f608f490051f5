/**
 * The worker's side of the inbox: leasing due events, recording outcomes, and the admin operations
 * that put events back in the queue. Every method is synchronous and runs in one transaction;
 * `claim`, `completeBatch` and `fail` take the write lock up front (IMMEDIATE) so their read-then-write
 * can never race another process, and run under the worker's synchronous mode (see
 * `worker-synchronous.ts`).
 */
import { randomUUID } from 'node:crypto';
import type { KycPolicy } from '../../kyc/decision.js';
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import {
  decideSqliteUsers,
  type RecordSqliteChanges,
  sqliteUsersConcerned,
} from '../decisions/sqlite-decisions.js';
import { applyProjectionUpdates } from '../facts/sqlite-apply-updates.js';
import { LEASE_EXPIRED_ERROR, MALFORMED_ID_PREFIX, truncateError } from '../inbox/inbox-rows.js';
import type { SqliteDatabase } from '../sqlite/driver.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import { type WorkerSynchronous, withWorkerSynchronous } from '../sqlite/worker-synchronous.js';
import type { ClaimedEvent, ClaimOptions, ReplayOutcome } from './work-queue.js';

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

const FINISH_ATTEMPT_SQL = `UPDATE event_attempts SET finished_at_ms = @now, outcome = @outcome, error = @error
WHERE event_id = @id AND attempt = @attempt AND finished_at_ms IS NULL`;

const FINISH_ABANDONED_ATTEMPTS_SQL = `UPDATE event_attempts SET finished_at_ms = ?, outcome = 'retry', error = ?
WHERE event_id = ? AND finished_at_ms IS NULL`;

const COMPLETE_SQL = `UPDATE events
SET status = 'done', processed_at_ms = @now, lease_token = NULL, lease_expires_at_ms = NULL, last_error = NULL
WHERE id = @id AND status = 'processing' AND lease_token = @token`;

const FAIL_SQL = `UPDATE events
SET status = @status, run_at_ms = COALESCE(@retry_at, run_at_ms), last_error = @error,
  lease_token = NULL, lease_expires_at_ms = NULL
WHERE id = @id AND status = 'processing' AND lease_token = @token`;

// The attempt counter restarts so a replayed event gets a full set of retries; event_attempts keeps
// the earlier history.
const REPLAY_COLUMNS = `status = 'pending', run_at_ms = @now, attempts = 0, lease_token = NULL,
  lease_expires_at_ms = NULL, processed_at_ms = NULL`;

const REPLAY_ONE_SQL = `UPDATE events SET ${REPLAY_COLUMNS} WHERE id = @id AND status IN ('done', 'dead')`;

const EVENT_EXISTS_SQL = 'SELECT 1 FROM events WHERE id = ?';

const PURGE_SQL = `DELETE FROM event_bodies
WHERE event_id IN (SELECT id FROM events WHERE received_at_ms < ?)`;

interface DueRow {
  id: string;
  name: string;
  created_at_ms: number;
  body: Buffer | null;
  attempts: number;
  status: 'pending' | 'processing';
}

/** One `Store.complete` call, as queued for a grouped commit. */
export interface CompleteRequest {
  claim: ClaimedEvent;
  updates: readonly ProjectionUpdate[];
  nowMs: number;
}

/** The outcome of one request in a batch: `completed` false means the lease was lost. */
export type CompleteResult = { ok: true; completed: boolean } | { ok: false; error: unknown };

/** Queue operations bound to one connection. */
export interface SqliteWorkQueue {
  claim(options: ClaimOptions): ClaimedEvent[];
  /**
   * Completes every request in ONE transaction, each inside its own savepoint: a lost lease or a
   * failed update undoes only that event. Throws (nothing committed) when the transaction as a whole
   * failed.
   */
  completeBatch(requests: readonly CompleteRequest[]): CompleteResult[];
  fail(claim: ClaimedEvent, error: string, retryAtMs: number | null, nowMs: number): boolean;
  replay(eventId: string, nowMs: number): ReplayOutcome;
  replayDead(filter: { sinceMs?: number; name?: string }, nowMs: number): number;
  purgeBodies(receivedBeforeMs: number): number;
}

/** Builds the queue operations over a migrated connection. */
export function createSqliteWorkQueue(
  db: SqliteDatabase,
  prepare: PrepareCached,
  synchronous: WorkerSynchronous,
  policy: KycPolicy,
  record: RecordSqliteChanges,
): SqliteWorkQueue {
  const finishAttempt = (claim: ClaimedEvent, nowMs: number, outcome: string, error: string | null) =>
    prepare(FINISH_ATTEMPT_SQL).run({ id: claim.id, attempt: claim.attempt, now: nowMs, outcome, error });

  const claim = db.transaction(({ limit, leaseMs, nowMs }: ClaimOptions): ClaimedEvent[] => {
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

  // Called inside the batch transaction, better-sqlite3 runs this one as a SAVEPOINT. Returns the
  // users whose decision the event may change, or null when its lease was lost.
  const completeOne = db.transaction(
    ({ claim: claimed, updates, nowMs }: CompleteRequest): string[] | null => {
      if (
        prepare(COMPLETE_SQL).run({ id: claimed.id, token: claimed.leaseToken, now: nowMs }).changes === 0
      ) {
        return null;
      }
      applyProjectionUpdates(prepare, updates, nowMs);
      const users = sqliteUsersConcerned(prepare, updates);
      finishAttempt(claimed, nowMs, 'done', null);
      return users;
    },
  );

  // The users are decided once, after every event of the batch: a user several events concern is
  // decided on all of them (one change, caused by the last), and the reads cover every user at once.
  const completeBatch = db.transaction((requests: readonly CompleteRequest[]): CompleteResult[] => {
    const causes = new Map<string, string>();
    let nowMs = 0;
    const results = requests.map((request): CompleteResult => {
      try {
        const users = completeOne(request);
        if (users === null) return { ok: true, completed: false };
        for (const user of users) causes.set(user, request.claim.id);
        nowMs = Math.max(nowMs, request.nowMs);
        return { ok: true, completed: true };
      } catch (error) {
        // Some errors (SQLITE_FULL, SQLITE_IOERR…) roll back the whole transaction: then nothing in the
        // batch stands and every caller must hear it, so the batch fails as one.
        if (!db.inTransaction) throw error;
        return { ok: false, error };
      }
    });
    decideSqliteUsers(prepare, policy, causes, nowMs, record);
    return results;
  });

  const fail = db.transaction(
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
      finishAttempt(claimed, nowMs, retryAtMs === null ? 'dead' : 'retry', text);
      return true;
    },
  );

  // The update and, when it changed nothing, the look that says why, under one write lock.
  const replayOne = db.transaction((eventId: string, nowMs: number): ReplayOutcome => {
    if (prepare(REPLAY_ONE_SQL).run({ id: eventId, now: nowMs }).changes > 0) return 'replayed';
    return prepare(EVENT_EXISTS_SQL).get(eventId) === undefined ? 'not_found' : 'already_queued';
  });

  return {
    claim: (options) => withWorkerSynchronous(db, synchronous, () => claim.immediate(options)),
    completeBatch: (requests) =>
      withWorkerSynchronous(db, synchronous, () => completeBatch.immediate(requests)),
    fail: (claimed, error, retryAtMs, nowMs) =>
      withWorkerSynchronous(db, synchronous, () => fail.immediate(claimed, error, retryAtMs, nowMs)),
    replay: (eventId, nowMs) => replayOne.immediate(eventId, nowMs),
    replayDead: (filter, nowMs) => replayDead(prepare, filter, nowMs),
    purgeBodies: (receivedBeforeMs) => Number(prepare(PURGE_SQL).run(receivedBeforeMs).changes),
  };
}

// Quarantined bodies are skipped: they failed parsing and would only die again. `replay(id)` still
// accepts one explicitly.
function replayDead(
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
