/**
 * Applies the service's migrations to a PostgreSQL schema: one transaction that first takes a
 * transaction-scoped advisory lock keyed by the schema, so two instances starting at once queue up
 * instead of racing, and a failed migration leaves no trace. The key differs from the library's
 * (`persona-webhooks:migrate:<schema>`): the service's and the library's migrations never hold each
 * other up, and the service's always run first (`open-store.ts`).
 */

import { type SchemaStatus, SchemaTooNewError } from 'persona-webhooks';
import type pg from 'pg';
import { int } from './postgres-rows.js';
import { latestServiceVersion, SERVICE_MIGRATIONS, type ServiceMigration } from './service-migrations.js';
import { SERVICE_MIGRATIONS_TABLE } from './table-names.js';

// The pool's short statement_timeout is for the request path; waiting for another instance's
// migration may legitimately take longer.
const BEGIN = 'BEGIN; SET LOCAL statement_timeout = 0';

/** The lock key of the service's migrations on `schema`. */
export function serviceMigrationLockKey(schema: string): string {
  return `persona-webhooks:service-migrate:${schema}`;
}

/** The recorded service schema version (0 when never migrated) against the newest known; writes nothing. */
export async function servicePostgresSchemaStatus(
  pool: pg.Pool,
  quotedSchema: string,
  migrations: readonly ServiceMigration[] = SERVICE_MIGRATIONS,
): Promise<SchemaStatus> {
  const latest = latestServiceVersion(migrations);
  const table = `${quotedSchema}.${SERVICE_MIGRATIONS_TABLE}`;
  const exists = await pool.query('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  if (!(exists.rows[0] as { present: boolean }).present) return { applied: 0, latest };
  const max = await pool.query(`SELECT coalesce(max(version), 0) AS version FROM ${table}`);
  return { applied: int(max.rows[0]?.['version']), latest };
}

/** Applies the migrations not yet recorded in `<schema>.service_schema_migrations`; returns their versions. */
export async function applyServicePostgresMigrations(
  pool: pg.Pool,
  schema: string,
  quotedSchema: string,
  migrations: readonly ServiceMigration[] = SERVICE_MIGRATIONS,
): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query(BEGIN);
    const applied = await migrateLocked(client, schema, quotedSchema, migrations);
    await client.query('COMMIT');
    client.release();
    return applied;
  } catch (error) {
    // A connection whose ROLLBACK failed (or that broke) must not go back to the pool.
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!rolledBack);
    throw error;
  }
}

/** Everything inside the transaction: the lock, the bookkeeping table, then each missing migration. */
async function migrateLocked(
  tx: pg.PoolClient,
  schema: string,
  quotedSchema: string,
  migrations: readonly ServiceMigration[],
): Promise<number[]> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [serviceMigrationLockKey(schema)]);
  const table = `${quotedSchema}.${SERVICE_MIGRATIONS_TABLE}`;
  // No parameters: sent as one simple query, several statements allowed.
  await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quotedSchema};
    CREATE TABLE IF NOT EXISTS ${table} (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at_ms bigint NOT NULL
    )`);
  const recorded = await tx.query(`SELECT version FROM ${table}`);
  const done = new Set(recorded.rows.map((row) => int(row['version'])));
  const latest = latestServiceVersion(migrations);
  const newest = Math.max(0, ...done);
  if (newest > latest) throw new SchemaTooNewError(newest, latest);
  await tx.query(`SET LOCAL search_path TO ${quotedSchema}`);
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(migration.version)) continue;
    await migration.postgres(tx);
    await tx.query(`INSERT INTO ${table} (version, name, applied_at_ms) VALUES ($1, $2, $3)`, [
      migration.version,
      migration.name,
      Date.now(),
    ]);
    applied.push(migration.version);
  }
  return applied;
}
