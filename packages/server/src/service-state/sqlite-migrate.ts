/**
 * Applies the service's migrations to a SQLite file. Each migration and its row in
 * `service_schema_migrations` commit in one IMMEDIATE transaction (SQLite's write lock), so two
 * processes starting at once cannot both apply a version, and a failed one leaves no trace.
 */
import type Database from 'better-sqlite3';
import { type SchemaStatus, SchemaTooNewError } from 'persona-webhooks';
import { latestServiceVersion, SERVICE_MIGRATIONS, type ServiceMigration } from './service-migrations.js';
import { SERVICE_MIGRATIONS_TABLE } from './table-names.js';

/** The recorded service schema version (0 when never migrated) against the newest known; writes nothing. */
export function serviceSqliteSchemaStatus(
  db: Database.Database,
  migrations: readonly ServiceMigration[] = SERVICE_MIGRATIONS,
): SchemaStatus {
  const table = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?")
    .get(SERVICE_MIGRATIONS_TABLE);
  const row =
    table === undefined
      ? undefined
      : (db.prepare(`SELECT max(version) AS version FROM ${SERVICE_MIGRATIONS_TABLE}`).get() as {
          version: number | null;
        });
  return { applied: row?.version ?? 0, latest: latestServiceVersion(migrations) };
}

/**
 * Applies the migrations not yet recorded; returns the versions applied (empty when up to date).
 * Throws `SchemaTooNewError`, changing nothing, when a newer release migrated the file.
 */
export function applyServiceSqliteMigrations(
  db: Database.Database,
  migrations: readonly ServiceMigration[] = SERVICE_MIGRATIONS,
): number[] {
  const status = serviceSqliteSchemaStatus(db, migrations);
  if (status.applied > status.latest) throw new SchemaTooNewError(status.applied, status.latest);
  db.exec(`CREATE TABLE IF NOT EXISTS ${SERVICE_MIGRATIONS_TABLE} (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at_ms INTEGER NOT NULL
  ) STRICT`);
  const isApplied = db.prepare(`SELECT 1 FROM ${SERVICE_MIGRATIONS_TABLE} WHERE version = ?`);
  const record = db.prepare(
    `INSERT INTO ${SERVICE_MIGRATIONS_TABLE} (version, name, applied_at_ms) VALUES (?, ?, ?)`,
  );
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const apply = db.transaction(() => {
      // Checked inside the write lock: another process may have applied it since we looked.
      if (isApplied.get(migration.version) !== undefined) return false;
      migration.sqlite(db);
      record.run(migration.version, migration.name, Date.now());
      return true;
    });
    if (apply.immediate()) applied.push(migration.version);
  }
  return applied;
}
