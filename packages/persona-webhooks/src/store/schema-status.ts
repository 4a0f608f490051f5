/**
 * Where a database's schema stands against this release's migrations, read without changing anything:
 * read-only commands report it instead of migrating, and a schema written by a newer release stops
 * everything (graphile-worker does the same): running old code on a newer schema corrupts silently.
 */
import { SchemaTooNewError } from '../errors.js';

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
