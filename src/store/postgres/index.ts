/** The scale-out PostgreSQL store (`persona-webhooks/postgres`). */

export { POSTGRES_MIGRATIONS, type PostgresMigration } from './migrations.js';
export {
  createPostgresStore,
  type PostgresStore,
  type PostgresStoreOptions,
  type PostgresWriteStats,
} from './postgres-store.js';
