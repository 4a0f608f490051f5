/**
 * One open database with everything bound to it: the statement cache, the work queue, the read model
 * and the batched insert. Built as a unit so the store can (re)open it lazily after a failed open.
 */

import { StoreUnavailableError } from '../../errors.js';
import type { KycPolicy } from '../../kyc/decision.js';
import type { IngestOutcome } from '../inbox/inbox.js';
import { type EventRow, INSERT_BODY_SQL, INSERT_EVENT_SQL } from '../inbox/inbox-rows.js';
import type { SchemaStatus } from '../migration-plan.js';
import { createSqliteOutbox, type SqliteDecisionHook, type SqliteOutbox } from '../outbox/sqlite-outbox.js';
import { createSqliteWorkQueue, type SqliteWorkQueue } from '../queue/sqlite-work-queue.js';
import { createSqliteReadModel, type SqliteReadModel } from '../read-model/sqlite-read-model.js';
import type { SqliteDatabase, SqliteDatabaseSource } from './driver.js';
import { type FileIdentity, watchFileIdentity } from './file-identity.js';
import { applySqliteMigrations, sqliteSchemaStatus } from './migrate.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { openSqliteDatabase } from './open-database.js';
import { createStatementCache, type PrepareCached } from './statement-cache.js';
import { openWalSync, type WalSync } from './wal-sync.js';
import { type WorkerSynchronous, withWorkerSynchronous } from './worker-synchronous.js';

const PROBE_SQL = `INSERT INTO store_probe (id, written_at_ms, pad) VALUES (1, ?, zeroblob(?))
  ON CONFLICT (id) DO UPDATE SET written_at_ms = excluded.written_at_ms, pad = excluded.pad`;
const UNPAD_PROBE_SQL = 'UPDATE store_probe SET pad = NULL WHERE id = 1';

/** An open, configured connection and the operations over it. */
export interface SqliteConnection {
  db: SqliteDatabase;
  prepare: PrepareCached;
  queue: SqliteWorkQueue;
  reads: SqliteReadModel;
  outbox: SqliteOutbox;
  /** Throws `StoreUnavailableError` when the file (or its WAL) was deleted or replaced since it opened. */
  identity: FileIdentity;
  /**
   * Inserts all rows in one IMMEDIATE transaction; one outcome per row, in order. Committed, visible,
   * but only on disk once `durable()` resolves.
   */
  insertBatch(rows: readonly EventRow[]): IngestOutcome[];
  /** Resolves once every earlier `insertBatch` is on disk (see `wal-sync.ts`; at once without a WAL file). */
  durable(): Promise<void>;
  /** Writes and syncs `bytes` bytes, then frees them: proves the disk takes writes of that size. */
  probeWrite(bytes: number, nowMs: number): void;
  migrate(): void;
  schemaStatus(): SchemaStatus;
  close(): void;
}

/** Opens the file and binds the operations; throws `StoreUnavailableError` if it cannot be opened. */
export function openSqliteConnection(
  source: SqliteDatabaseSource,
  busyTimeoutMs: number,
  workerSynchronous: WorkerSynchronous,
  policy: KycPolicy,
  onDecisionChanged: SqliteDecisionHook | undefined,
): SqliteConnection {
  const db = openSqliteDatabase(source, busyTimeoutMs);
  const prepare = createStatementCache(db);
  const outbox = createSqliteOutbox(db, prepare, onDecisionChanged);
  const insert = db.transaction((rows: readonly EventRow[]): IngestOutcome[] =>
    // ON CONFLICT DO NOTHING decides per row, so a repeat inside the batch is a duplicate too.
    rows.map((row) => {
      if (prepare(INSERT_EVENT_SQL).run(row).changes === 0) return 'duplicate';
      prepare(INSERT_BODY_SQL).run(row.id, row.body);
      return 'stored';
    }),
  );
  const probe = db.transaction((bytes: number, nowMs: number) => {
    prepare(PROBE_SQL).run(nowMs, bytes);
  });
  // A file in WAL mode gets its ingest commits synced off the event loop; anything else (in-memory,
  // another journal mode) keeps synchronous=FULL commits, and durable() has nothing left to wait for.
  const walPath = walPathOf(db);
  let wal: WalSync | undefined;
  return {
    db,
    prepare,
    identity: watchFileIdentity(db.name),
    queue: createSqliteWorkQueue(db, prepare, workerSynchronous, policy, outbox.record),
    outbox,
    reads: createSqliteReadModel(prepare, policy),
    insertBatch: (rows) =>
      walPath ? withWorkerSynchronous(db, 'normal', () => insert.immediate(rows)) : insert.immediate(rows),
    durable: () => {
      if (!walPath) return Promise.resolve();
      try {
        // Opened on first use: the WAL file exists from the first commit on.
        wal ??= openWalSync(walPath);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        return Promise.reject(
          new StoreUnavailableError(
            `The SQLite event store could not open its write-ahead log to flush it to disk (${code}).`,
            { cause: error },
          ),
        );
      }
      return wal.sync();
    },
    close: () => {
      wal?.close();
      db.close();
    },
    probeWrite: (bytes, nowMs) => {
      probe.immediate(bytes, nowMs);
      prepare(UNPAD_PROBE_SQL).run();
    },
    migrate: () => {
      applySqliteMigrations(db, SQLITE_MIGRATIONS);
    },
    schemaStatus: () => sqliteSchemaStatus(db, SQLITE_MIGRATIONS),
  };
}

/** The WAL file of a database opened on a file in WAL mode, else null. */
function walPathOf(db: SqliteDatabase): string | null {
  const path = db.name;
  if (path === undefined || path === '' || path === ':memory:' || path.startsWith('file:')) return null;
  const mode = db.prepare('PRAGMA journal_mode').get() as { journal_mode?: unknown } | undefined;
  return mode?.journal_mode === 'wal' ? `${path}-wal` : null;
}
