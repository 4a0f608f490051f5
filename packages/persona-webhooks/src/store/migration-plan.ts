/**
 * The one migration plan both dialects follow: numbered migrations, applied once each in version
 * order, recorded in `schema_migrations`; a schema a newer release wrote stops everything
 * (graphile-worker does the same: running old code on a newer schema corrupts silently). Where the
 * schema stands is read without changing anything, so read-only commands report it instead of
 * migrating.
 *
 * Only the lock and the statements are per dialect (`sqlite/migrate.ts`, `postgres/migrate.ts`):
 * better-sqlite3 transactions are synchronous and cannot stay open across an `await`, PostgreSQL's are
 * asynchronous, so one body for both would either block on PostgreSQL or let other calls run inside
 * the SQLite transaction.
 */
import { SchemaTooNewError } from '../errors.js';

/** One numbered schema change: its SQL runs once, in a transaction, and is recorded with its version. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The highest migration version recorded in the database (0: never migrated) and the newest this release has. */
export interface SchemaStatus {
  applied: number;
  latest: number;
}

/** The newest version in a list of migrations. */
export function latestVersion(migrations: readonly { version: number }[]): number {
  return migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
}

/** Throws `SchemaTooNewError` when the database was migrated by a newer release. */
export function refuseNewerSchema(status: SchemaStatus): void {
  if (status.applied > status.latest) throw new SchemaTooNewError(status.applied, status.latest);
}

/**
 * The migrations still to apply, in version order, given the versions already recorded. Throws
 * `SchemaTooNewError` (so nothing is applied) when a newer release migrated the database.
 */
export function pendingMigrations(
  recorded: ReadonlySet<number>,
  migrations: readonly Migration[],
): Migration[] {
  refuseNewerSchema({ applied: Math.max(0, ...recorded), latest: latestVersion(migrations) });
  return [...migrations].filter((m) => !recorded.has(m.version)).sort((a, b) => a.version - b.version);
}
