/**
 * The SQLite completion: a batch of events finished by the worker, committed as one transaction in
 * which each event marks itself done, applies its facts and closes its attempt; the users they concern
 * are then found and decided once for the whole batch.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import { changedObjects } from '../decisions/kyc-decisions.js';
import {
  type ChangedObjectOf,
  decideSqliteUsers,
  type RecordSqliteChanges,
  sqliteUsersConcerned,
} from '../decisions/sqlite-decisions.js';
import { applyProjectionUpdates } from '../facts/sqlite-apply-updates.js';
import type { SqliteDatabase, SqliteTransaction } from '../sqlite/driver.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import { finishAttempt } from './sqlite-attempts.js';
import type { ClaimedEvent } from './work-queue.js';

const COMPLETE_SQL = `UPDATE events
SET status = 'done', processed_at_ms = @now, lease_token = NULL, lease_expires_at_ms = NULL, last_error = NULL
WHERE id = @id AND status = 'processing' AND lease_token = @token`;

/** One `Store.complete` call, as queued for a grouped commit. */
export interface CompleteRequest {
  claim: ClaimedEvent;
  updates: readonly ProjectionUpdate[];
  nowMs: number;
}

/** The outcome of one request in a batch: `completed` false means the lease was lost. */
export type CompleteResult = { ok: true; completed: boolean } | { ok: false; error: unknown };

/** Builds the batch completion transaction; run it with `.immediate(requests)`. */
export function createSqliteCompleteBatch(
  db: SqliteDatabase,
  prepare: PrepareCached,
  policy: KycPolicy,
  record: RecordSqliteChanges,
): SqliteTransaction<(requests: readonly CompleteRequest[]) => CompleteResult[]> {
  // Called inside the batch transaction, better-sqlite3 runs this one as a SAVEPOINT. Returns whether
  // the lease held (false: nothing changed).
  const completeOne = db.transaction(({ claim: claimed, updates, nowMs }: CompleteRequest): boolean => {
    if (prepare(COMPLETE_SQL).run({ id: claimed.id, token: claimed.leaseToken, now: nowMs }).changes === 0) {
      return false;
    }
    applyProjectionUpdates(prepare, updates, nowMs);
    finishAttempt(prepare, claimed, nowMs, 'done', null);
    return true;
  });

  // The users are found and decided once, after every event of the batch: a user several events
  // concern is decided on all of them (one change, caused by the last), and one read covers them all.
  // Found after the whole batch, an earlier event also reaches users through links a later one stored:
  // more users decided, never fewer, and each only changes if its facts say so.
  return db.transaction((requests: readonly CompleteRequest[]): CompleteResult[] => {
    const changed: ChangedObjectOf[] = [];
    let nowMs = 0;
    const results = requests.map((request, origin): CompleteResult => {
      try {
        if (!completeOne(request)) return { ok: true, completed: false };
        for (const object of changedObjects(request.updates)) changed.push({ ...object, origin });
        nowMs = Math.max(nowMs, request.nowMs);
        return { ok: true, completed: true };
      } catch (error) {
        // Some errors (SQLITE_FULL, SQLITE_IOERR…) roll back the whole transaction: then nothing in the
        // batch stands and every caller must hear it, so the batch fails as one.
        if (!db.inTransaction) throw error;
        return { ok: false, error };
      }
    });
    const causes = new Map<string, string>();
    for (const [user, origin] of sqliteUsersConcerned(prepare, changed)) {
      causes.set(user, (requests[origin] as CompleteRequest).claim.id);
    }
    decideSqliteUsers(prepare, policy, causes, nowMs, record);
    return results;
  });
}
