/**
 * Applies numbered migrations once each. Everything runs in one transaction that first takes a
 * transaction-scoped advisory lock keyed by the schema, so two instances starting at once queue up
 * instead of racing (even `CREATE SCHEMA IF NOT EXISTS` can fail on a concurrent catalog insert), and a
 * failed migration leaves no trace.
 */
import type { Db } from './connect.js';
import type { PostgresMigration } from './migrations.js';

/** Applies the migrations not yet recorded in `<schema>.schema_migrations`; returns the versions applied. */
export async function applyPostgresMigrations(
  sql: Db,
  schema: string,
  migrations: readonly PostgresMigration[],
): Promise<number[]> {
  const quoted = `"${schema}"`;
  return sql.begin(async (tx) => {
    // The pool's short statement_timeout is for the request path; waiting for another instance's
    // migration, or migrating a large table, may legitimately take longer.
    await tx`SET LOCAL statement_timeout = 0`;
    await tx`SELECT pg_advisory_xact_lock(hashtext(${`persona-webhooks:migrate:${schema}`}))`;
    await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${quoted};
      CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at_ms bigint NOT NULL
      )`);
    const rows = await tx<{ version: number }[]>`SELECT version FROM ${tx(schema)}.schema_migrations`;
    const done = new Set(rows.map((row) => row.version));
    const applied: number[] = [];
    await tx.unsafe(`SET LOCAL search_path TO ${quoted}`);
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await tx.unsafe(migration.sql);
      await tx`INSERT INTO ${tx(schema)}.schema_migrations (version, name, applied_at_ms)
        VALUES (${migration.version}, ${migration.name}, ${Date.now()})`;
      applied.push(migration.version);
    }
    return applied;
  });
}
