/** The embedded SQLite store (`persona-webhooks/sqlite`). */
export { createSqliteStore, type SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
