/**
 * A library-only store (no service around it) no longer gets the service's tables: app tokens,
 * dashboard sign-outs and the reconciliation state moved to the server package, and the library's
 * latest migration drops what its earlier migrations still create. On PostgreSQL a table still
 * holding an older service's rows is left for that service to adopt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnections } from '../../packages/persona-webhooks/src/store/postgres/connections.js';
import { applyPostgresMigrations } from '../../packages/persona-webhooks/src/store/postgres/migrate.js';
import { POSTGRES_MIGRATIONS } from '../../packages/persona-webhooks/src/store/postgres/migrations.js';
import { createPostgresStore } from '../../packages/persona-webhooks/src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../packages/persona-webhooks/src/store/sqlite/sqlite-store.js';
import { dropTestSchema, postgresReachable, testSchemaName, withTestPool } from '../helpers/postgres.js';

const SERVICE_ONLY = ['app_tokens', 'session_revocations', 'reconcile_state'];

describe('a library-only SQLite store', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has none of the service tables once migrated', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pw-library-only-'));
    const path = join(dir, 'db.sqlite');
    const store = createSqliteStore({ database: () => new Database(path) });
    await store.migrate();
    await store.close();
    const db = new Database(path, { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as {
        name: string;
      }[];
      const names = tables.map((t) => t.name);
      expect(names).toContain('events');
      for (const table of SERVICE_ONLY) expect(names).not.toContain(table);
    } finally {
      db.close();
    }
  });
});

const reachable = await postgresReachable();

describe.skipIf(!reachable)('a library-only PostgreSQL store', () => {
  let schema: string;
  afterEach(() => dropTestSchema(schema));

  const tablesOf = (name: string) =>
    withTestPool(async (pool) => {
      const result = await pool.query('SELECT tablename FROM pg_tables WHERE schemaname = $1', [name]);
      return result.rows.map((row: { tablename: string }) => row.tablename);
    });

  it('has none of the service tables once migrated', async () => {
    schema = testSchemaName();
    await withTestPool(async (pool) => {
      const store = createPostgresStore({ pool, schema });
      await store.migrate();
      await store.close();
    });
    const names = await tablesOf(schema);
    expect(names).toContain('events');
    for (const table of SERVICE_ONLY) expect(names).not.toContain(table);
  });

  it("keeps an older service's tables that still hold rows, dropping the empty one", async () => {
    schema = testSchemaName();
    await withTestPool(async (pool) => {
      await applyPostgresMigrations(
        createConnections(pool),
        schema,
        POSTGRES_MIGRATIONS.filter((m) => m.version <= 11),
      );
      await pool.query(`INSERT INTO "${schema}".app_tokens (id, name, token_hash, created_at_ms)
        VALUES ('apt_old', 'backend', '${'0'.repeat(64)}', 1)`);
      await pool.query(`UPDATE "${schema}".reconcile_state SET last_started_at_ms = 1 WHERE id = 1`);
      const store = createPostgresStore({ pool, schema });
      await store.migrate();
      await store.close();
    });
    const names = await tablesOf(schema);
    expect(names).toEqual(expect.arrayContaining(['app_tokens', 'reconcile_state']));
    expect(names).not.toContain('session_revocations');
  });
});
