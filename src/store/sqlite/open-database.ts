/**
 * Opens the SQLite file with the settings durability depends on. WAL lets readers (admin API) run
 * beside the single writer; synchronous=FULL makes every commit fsync the WAL, so an acknowledged
 * event survives a power cut, not just a process crash.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../../errors.js';
import { toStoreError } from './store-error.js';

/**
 * Opens (creating the file and its parent directory if missing) and configures one connection.
 * Throws `StoreUnavailableError` when the file cannot be opened or configured.
 */
export function openSqliteDatabase(path: string, busyTimeoutMs: number): Database.Database {
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new StoreUnavailableError('The SQLite event store cannot create its directory.', {
        cause: error,
      });
    }
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    db?.close();
    throw toStoreError(error);
  }
}
