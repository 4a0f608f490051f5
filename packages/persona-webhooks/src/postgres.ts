/** The scale-out PostgreSQL store (`persona-webhooks/postgres`), over your `pg` (node-postgres 8.x) pool. */
export * from './errors.js';
export type * from './public-types.js';
export type { PostgresDecisionHook } from './store/outbox/postgres-outbox.js';
export type {
  PostgresNotification,
  PostgresPool,
  PostgresPoolClient,
  PostgresQueryable,
  PostgresQueryResult,
} from './store/postgres/driver.js';
export { POSTGRES_MIGRATIONS, type PostgresMigration } from './store/postgres/migrations.js';
export {
  createPostgresStore,
  type PostgresStore,
  type PostgresStoreOptions,
  type PostgresWriteStats,
} from './store/postgres/postgres-store.js';
