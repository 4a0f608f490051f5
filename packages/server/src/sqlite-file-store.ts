/**
 * The SQLite store on a file, over better-sqlite3: the service's embedded default. The connection is
 * opened lazily (creating the file's directory), so a store whose disk was missing at start opens once
 * it is there, without a restart.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore, type SqliteStore, type SqliteStoreOptions } from 'persona-webhooks/sqlite';

/**
 * Creates the store for `path` (`:memory:` for a throw-away one); nothing is opened until first use.
 * With `mustExist`, a missing file is an error rather than a new database.
 */
export function createSqliteFileStore(
  path: string,
  options: Omit<SqliteStoreOptions, 'database'> & { mustExist?: boolean } = {},
): SqliteStore {
  const { mustExist = false, ...storeOptions } = options;
  return createSqliteStore({
    ...storeOptions,
    database: () => {
      if (!mustExist && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      return new Database(path, { fileMustExist: mustExist });
    },
  });
}
