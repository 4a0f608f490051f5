/**
 * SQLite's lock and statements for the migration plan (`../migration-plan.ts`). Every migration and its
 * `schema_migrations` row commit in one IMMEDIATE transaction (SQLite's write lock), so two processes
 * migrating at once cannot both apply a version, and a failed migration leaves no trace.
 */

import { latestVersion, pendingMigrations, type SchemaStatus } from '../migration-plan.js';
import type { SqliteDatabase } from './driver.js';
import type { SqliteMigration } from './migrations.js';

/** The recorded schema version (0 when never migrated) against the newest of `migrations`; writes nothing. */
export function sqliteSchemaStatus(db: SqliteDatabase, migrations: readonly SqliteMigration[]): SchemaStatus {
  const table = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  const row =
    table === undefined
      ? undefined
      : (db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as {
          version: number | null;
        });
  return { applied: row?.version ?? 0, latest: latestVersion(migrations) };
}

/**
 * Applies the migrations not yet recorded; returns the versions applied (empty when up to date).
 * Throws `SchemaTooNewError`, changing nothing, when a newer release migrated the database.
 */
export function applySqliteMigrations(db: SqliteDatabase, migrations: readonly SqliteMigration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at_ms INTEGER NOT NULL
  ) STRICT`);
  const recorded = db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[];
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const migration of pendingMigrations(new Set(recorded.map((r) => r.version)), migrations)) {
    const apply = db.transaction(() => {
      // Checked inside the write lock: another process may have applied it since we looked.
      if (isApplied.get(migration.version) !== undefined) return false;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
      return true;
    });
    if (apply.immediate()) applied.push(migration.version);
  }
  return applied;
}
