/**
 * How hard the worker's transactions (claim, complete, fail) sync to disk. Ingest is always durable
 * before it is acknowledged: the README's "acknowledged ⇒ durable" promise is about ingest, and it holds
 * (with a file database it commits under NORMAL too, then waits for its own sync of the WAL off the
 * event loop: see `wal-sync.ts`).
 *
 * The worker's transactions default to synchronous=NORMAL, which in WAL mode skips the fsync at commit:
 * - it never corrupts the database and loses nothing when the process crashes (the OS still has the
 *   WAL pages); only a power cut or kernel panic can lose the last commits that had not been synced;
 * - what such a loss undoes is safe to undo: a lost lease or attempt record means the event is claimed
 *   again; a lost done-mark or retry schedule means the event runs again, and the KYC projection is
 *   newest-wins, so re-applying it changes nothing (user handlers are at-least-once anyway);
 * - every later FULL commit (the next ingest) fsyncs the WAL, and with it these earlier commits.
 * Admin writes (replay, purge) and migrations keep FULL: they are rare, and an operator's acknowledged
 * action should not be undone by a power cut.
 *
 * The pragma is per connection and cannot change inside a transaction, so it is switched just before
 * the transaction and restored after it; FULL stays the connection's resting state, so any write path
 * that does not opt in is durable. It is executed, never prepared: SQLite applies this pragma when the
 * statement is compiled, so re-running a prepared one would do nothing.
 */
import type { SqliteDatabase } from './driver.js';

/** `normal`: no fsync per worker commit (the default, see above); `full`: fsync every commit. */
export type WorkerSynchronous = 'normal' | 'full';

/** Runs `transaction` (which must open and close its own transaction) under the given mode. */
export function withWorkerSynchronous<T>(
  db: SqliteDatabase,
  mode: WorkerSynchronous,
  transaction: () => T,
): T {
  if (mode === 'full') return transaction();
  db.exec('PRAGMA synchronous = NORMAL');
  try {
    return transaction();
  } finally {
    db.exec('PRAGMA synchronous = FULL');
  }
}
