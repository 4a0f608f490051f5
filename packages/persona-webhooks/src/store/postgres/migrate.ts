/**
 * PostgreSQL's lock and statements for the migration plan (`../migration-plan.ts`). Everything runs in one transaction that first takes a
 * transaction-scoped advisory lock keyed by the schema, so two instances starting at once queue up
 * instead of racing (even `CREATE SCHEMA IF NOT EXISTS` can fail on a concurrent catalog insert), and a
 * failed migration leaves no trace.
 */

import { latestVersion, pendingMigrations, type SchemaStatus } from '../migration-plan.js';
import type { Connections } from './connections.js';
import type { PostgresMigration } from './migrations.js';
import { RowValues } from './row-values.js';
import { tables } from './tables.js';

// The pool's short statement_timeout is for the request path; waiting for another instance's
// migration, or migrating a large table, may legitimately take longer.
const BEGIN = 'BEGIN; SET LOCAL statement_timeout = 0';

/** The recorded schema version (0 when never migrated) against the newest of `migrations`; writes nothing. */
export async function postgresSchemaStatus(
  connections: Connections,
  schema: string,
  migrations: readonly PostgresMigration[],
): Promise<SchemaStatus> {
  const t = tables(schema);
  const latest = latestVersion(migrations);
  return connections.use(async (client) => {
    const exists = await client.query('SELECT (to_regclass($1) IS NOT NULL)::int AS present', [t.migrations]);
    if (new RowValues(exists.rows[0]).int('present') === 0) return { applied: 0, latest };
    const max = await client.query(`SELECT coalesce(max(version), 0) AS version FROM ${t.migrations}`);
    return { applied: new RowValues(max.rows[0]).int('version'), latest };
  });
}

/** Applies the migrations not yet recorded in `<schema>.schema_migrations`; returns the versions applied. */
export async function applyPostgresMigrations(
  connections: Connections,
  schema: string,
  migrations: readonly PostgresMigration[],
): Promise<number[]> {
  const t = tables(schema);
  return connections.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`persona-webhooks:migrate:${schema}`]);
    // No parameters: sent as one simple query, several statements allowed.
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${t.schema};
      CREATE TABLE IF NOT EXISTS ${t.migrations} (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at_ms bigint NOT NULL
      )`);
    const recorded = await tx.query(`SELECT version FROM ${t.migrations}`);
    const done = new Set(recorded.rows.map((row) => new RowValues(row).int('version')));
    const pending = pendingMigrations(done, migrations);
    const applied: number[] = [];
    await tx.query(`SET LOCAL search_path TO ${t.schema}`);
    for (const migration of pending) {
      await tx.query(migration.sql);
      await tx.query(`INSERT INTO ${t.migrations} (version, name, applied_at_ms) VALUES ($1, $2, $3)`, [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      applied.push(migration.version);
    }
    return applied;
  }, BEGIN);
}
