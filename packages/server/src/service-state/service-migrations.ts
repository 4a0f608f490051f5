/**
 * The service's schema as numbered migrations, recorded in `service_schema_migrations` apart from the
 * library's `schema_migrations`, so the library and the service each version only their own tables.
 * They are code rather than SQL strings because the first one decides per table whether to adopt or to
 * create. Never edit a released migration: add the next version instead.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { SERVICE_TABLE_DDL } from './table-ddl.js';

/** One schema step, applied once per database, in its own transaction, for either dialect. */
export interface ServiceMigration {
  version: number;
  name: string;
  /** Runs inside the migration's IMMEDIATE transaction. */
  sqlite(db: Database.Database): void;
  /** Runs inside the migration's transaction, `search_path` set to the service's schema. */
  postgres(tx: pg.PoolClient): Promise<void>;
}

/**
 * Version 1: the tables older releases kept in the library's schema (`app_tokens`,
 * `session_revocations`, `reconcile_state`) are renamed to the service's names, rows and columns as
 * they are, so tokens keep authenticating, sign-outs stay refused and the reconciliation checkpoint
 * holds; a table that is not there is created.
 */
const ADOPT_OR_CREATE: ServiceMigration = {
  version: 1,
  name: 'adopt-or-create-service-tables',
  sqlite(db) {
    const exists = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?");
    for (const ddl of SERVICE_TABLE_DDL) {
      db.exec(
        exists.get(ddl.legacy) === undefined
          ? ddl.sqlite
          : `ALTER TABLE ${ddl.legacy} RENAME TO ${ddl.table}`,
      );
      for (const statement of ddl.after) db.exec(statement);
    }
  },
  async postgres(tx) {
    for (const ddl of SERVICE_TABLE_DDL) {
      // to_regclass follows the search_path the runner set: the service's schema.
      const found = await tx.query('SELECT to_regclass($1) IS NOT NULL AS present', [ddl.legacy]);
      const present = (found.rows[0] as { present: boolean }).present;
      await tx.query(present ? `ALTER TABLE ${ddl.legacy} RENAME TO ${ddl.table}` : ddl.postgres);
      for (const statement of ddl.after) await tx.query(statement);
    }
  },
};

/** Every service migration, in version order. */
export const SERVICE_MIGRATIONS: readonly ServiceMigration[] = Object.freeze([ADOPT_OR_CREATE]);

/** The newest version `migrations` know. */
export function latestServiceVersion(migrations: readonly ServiceMigration[] = SERVICE_MIGRATIONS): number {
  return Math.max(0, ...migrations.map((migration) => migration.version));
}
