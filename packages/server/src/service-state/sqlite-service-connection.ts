/**
 * The service state's own better-sqlite3 connection to the event store's file. Its own, rather than the
 * library store's, because the library no longer knows these tables and the store may run in a thread
 * of its own; these are rare, small writes, so a second connection costs nothing noticeable.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteAppTokens, type SqliteAppTokens } from './sqlite-app-tokens.js';
import { createSqliteReconcileState, type SqliteReconcileState } from './sqlite-reconcile-state.js';
import {
  createSqliteSessionRevocations,
  type SqliteSessionRevocations,
} from './sqlite-session-revocations.js';
import { createStatementCache } from './sqlite-statements.js';

/** As long as the library's store waits for the write lock, so both give up at the same moment. */
const BUSY_TIMEOUT_MS = 5_000;

/** An open, configured connection and the operations bound to it. */
export interface ServiceSqliteConnection {
  db: Database.Database;
  appTokens: SqliteAppTokens;
  revocations: SqliteSessionRevocations;
  reconcile: SqliteReconcileState;
}

/**
 * Opens `path` (`:memory:` for a throw-away database) and binds the operations. With `mustExist`, a
 * missing file is an error rather than a new database. Throws what the driver throws.
 */
export function openServiceSqliteConnection(path: string, mustExist: boolean): ServiceSqliteConnection {
  if (!mustExist && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { fileMustExist: mustExist });
  try {
    // A file SQLite could only open read-only would fail every write until a restart: refuse it now.
    if (db.readonly) {
      throw Object.assign(new Error('the database file is not writable'), { code: 'SQLITE_READONLY' });
    }
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Already WAL when the library opened the file first; set here too because the service migrates
    // before the library does, and may be the one creating the file.
    db.pragma('journal_mode = WAL');
    // Tokens, sign-outs and checkpoints are rare writes that must survive a power cut: fsync each commit.
    db.pragma('synchronous = FULL');
  } catch (error) {
    db.close();
    throw error;
  }
  const prepare = createStatementCache(db);
  return {
    db,
    appTokens: createSqliteAppTokens(db, prepare),
    revocations: createSqliteSessionRevocations(db, prepare),
    reconcile: createSqliteReconcileState(db, prepare),
  };
}
