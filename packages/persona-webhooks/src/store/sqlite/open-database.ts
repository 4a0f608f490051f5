/**
 * Configures a connection with the settings durability depends on. WAL lets readers (admin API) run
 * beside the single writer; synchronous=FULL makes every commit fsync the WAL, so an acknowledged
 * event survives a power cut, not just a process crash.
 */

import { StoreUnavailableError } from '../../errors.js';
import type { SqliteDatabase, SqliteDatabaseSource } from './driver.js';
import { toStoreError } from './store-error.js';

/**
 * Opens (when given a function) and configures one connection. Throws `StoreUnavailableError` when it
 * cannot be opened or configured; a connection the store opened itself is closed again then.
 */
export function openSqliteDatabase(source: SqliteDatabaseSource, busyTimeoutMs: number): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = typeof source === 'function' ? source() : source;
  } catch (error) {
    // Whatever the opener threw (a missing mount, a directory it could not create): not open yet.
    throw new StoreUnavailableError('The SQLite event store cannot open its database file.', {
      cause: error,
    });
  }
  try {
    // SQLite opens a file it cannot write read-only without a word; every write would then fail until
    // a restart, even once the file is writable again. Refuse now, and open again on the next call.
    if (db.readonly === true) {
      throw Object.assign(new Error('the database file is not writable'), { code: 'SQLITE_READONLY' });
    }
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
    return db;
  } catch (error) {
    if (typeof source === 'function') {
      try {
        db.close();
      } catch {
        // Already broken; the open error is the one worth reporting.
      }
    }
    throw toStoreError(error);
  }
}
