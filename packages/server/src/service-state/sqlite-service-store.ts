/**
 * The service's SQLite store on a file: the library's store (`../sqlite-file-store.ts`) and the
 * service state, each on its own connection to the same file, migrated and closed together.
 */
import type { SqliteStore, SqliteStoreOptions } from 'persona-webhooks/sqlite';
import { createSqliteFileStore } from '../sqlite-file-store.js';
import type { ServiceState } from './service-state.js';
import { createSqliteServiceState } from './sqlite-service-state.js';
import { withServiceState } from './with-service-state.js';

/**
 * Creates both for `path`; nothing is opened until first use. With `mustExist`, a missing file is an
 * error rather than a new database.
 *
 * @example
 * const store = createSqliteServiceStore('./data/persona-webhooks.db');
 * await store.migrate(); // the service's migrations, then the library's
 */
export function createSqliteServiceStore(
  path: string,
  options: Omit<SqliteStoreOptions, 'database'> & { mustExist?: boolean } = {},
): SqliteStore & ServiceState {
  const state = createSqliteServiceState(path, { mustExist: options.mustExist ?? false });
  return withServiceState(createSqliteFileStore(path, options), state);
}
