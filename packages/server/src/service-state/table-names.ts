/**
 * The service's table names, unqualified. Prefixed `service_` so that, in one SQLite file or one
 * PostgreSQL schema shared with the library, nobody mistakes them for the library's tables (and the
 * library's own migrations can drop the unprefixed tables older releases kept there).
 */

/** The service's migrations are recorded apart from the library's `schema_migrations`. */
export const SERVICE_MIGRATIONS_TABLE = 'service_schema_migrations';

/** The service's tables. */
export const SERVICE_TABLES = Object.freeze({
  appTokens: 'service_app_tokens',
  sessionRevocations: 'service_session_revocations',
  reconcile: 'service_reconcile_state',
});

/** Which table the service names what (`SERVICE_TABLES`' keys). */
export type ServiceTable = keyof typeof SERVICE_TABLES;
