/** The scale-out PostgreSQL store (`persona-webhooks/postgres`). */
export * from './errors.js';
export type * from './public-types.js';
export { POSTGRES_MIGRATIONS, type PostgresMigration } from './store/postgres/migrations.js';
export {
  createPostgresStore,
  type PostgresStore,
  type PostgresStoreOptions,
  type PostgresWriteStats,
} from './store/postgres/postgres-store.js';
