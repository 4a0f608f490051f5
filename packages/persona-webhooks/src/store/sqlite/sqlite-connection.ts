/**
 * One open database with everything bound to it: the statement cache, the work queue, the read model
 * and the batched insert. Built as a unit so the store can (re)open it lazily after a failed open.
 */

import { type EventRow, INSERT_EVENT_SQL } from '../inbox-rows.js';
import type { IngestOutcome } from '../store.js';
import type { SqliteDatabase, SqliteDatabaseSource } from './driver.js';
import { applySqliteMigrations } from './migrate.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { openSqliteDatabase } from './open-database.js';
import { createSqliteReadModel, type SqliteReadModel } from './read-model.js';
import { createSqliteReconcileState, type SqliteReconcileState } from './reconcile-state.js';
import { createStatementCache, type PrepareCached } from './statement-cache.js';
import { createSqliteWorkQueue, type SqliteWorkQueue } from './work-queue.js';
import type { WorkerSynchronous } from './worker-synchronous.js';

/** An open, configured connection and the operations over it. */
export interface SqliteConnection {
  db: SqliteDatabase;
  prepare: PrepareCached;
  queue: SqliteWorkQueue;
  reads: SqliteReadModel;
  reconcile: SqliteReconcileState;
  /** Inserts all rows in one IMMEDIATE transaction; one outcome per row, in order. */
  insertBatch(rows: readonly EventRow[]): IngestOutcome[];
  migrate(): void;
}

/** Opens the file and binds the operations; throws `StoreUnavailableError` if it cannot be opened. */
export function openSqliteConnection(
  source: SqliteDatabaseSource,
  busyTimeoutMs: number,
  workerSynchronous: WorkerSynchronous,
): SqliteConnection {
  const db = openSqliteDatabase(source, busyTimeoutMs);
  const prepare = createStatementCache(db);
  const insert = db.transaction((rows: readonly EventRow[]): IngestOutcome[] =>
    // ON CONFLICT DO NOTHING decides per row, so a repeat inside the batch is a duplicate too.
    rows.map((row) => (prepare(INSERT_EVENT_SQL).run(row).changes > 0 ? 'stored' : 'duplicate')),
  );
  return {
    db,
    prepare,
    queue: createSqliteWorkQueue(db, prepare, workerSynchronous),
    reads: createSqliteReadModel(prepare),
    reconcile: createSqliteReconcileState(db, prepare),
    insertBatch: (rows) => insert.immediate(rows),
    migrate: () => {
      applySqliteMigrations(db, SQLITE_MIGRATIONS);
    },
  };
}
