/** The embedded SQLite store (`persona-webhooks/sqlite`): bring your own better-sqlite3 connection. */
export * from './errors.js';
export type * from './public-types.js';
export type { SqliteDecisionHook } from './store/outbox/sqlite-outbox.js';
export type {
  SqliteDatabase,
  SqliteDatabaseSource,
  SqliteStatement,
  SqliteTransaction,
} from './store/sqlite/driver.js';
export {
  createSqliteStore,
  type SqliteStore,
  type SqliteStoreOptions,
  type SqliteWriteStats,
} from './store/sqlite/sqlite-store.js';
