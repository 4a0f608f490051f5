/**
 * Upgrading a database of the schema before the service state left the library (SQLite 12,
 * PostgreSQL 11), on both dialects: tokens, sign-outs and the reconciliation checkpoint written there
 * the way that release wrote them keep working once the service's `openStore` has migrated it; the old
 * tables are gone, and migrating again changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnections } from '../../../packages/persona-webhooks/src/store/postgres/connections.js';
import { applyPostgresMigrations } from '../../../packages/persona-webhooks/src/store/postgres/migrate.js';
import { POSTGRES_MIGRATIONS } from '../../../packages/persona-webhooks/src/store/postgres/migrations.js';
import { applySqliteMigrations } from '../../../packages/persona-webhooks/src/store/sqlite/migrate.js';
import { SQLITE_MIGRATIONS } from '../../../packages/persona-webhooks/src/store/sqlite/migrations.js';
import { generateAppToken } from '../../../packages/server/src/app-tokens/app-token.js';
import { createAppTokenCheck } from '../../../packages/server/src/app-tokens/app-token-check.js';
import { openStore } from '../../../packages/server/src/open-store.js';
import { createLogger } from '../../../packages/server/src/server/observability/logger.js';
import type { ServiceStore } from '../../../packages/server/src/service-state/service-state.js';
import {
  dropTestSchema,
  postgresReachable,
  TEST_POSTGRES_URL,
  testSchemaName,
  withTestPool,
} from '../../helpers/postgres.js';

const T0 = Date.UTC(2026, 0, 1);
const token = generateAppToken();
const LEGACY_TABLES = ['app_tokens', 'session_revocations', 'reconcile_state'];
const SERVICE_TABLES = ['service_app_tokens', 'service_reconcile_state', 'service_session_revocations'];

/** What the release before this one wrote, in its own tables, with its own SQL. */
const LEGACY_ROWS = [
  `INSERT INTO app_tokens (id, name, token_hash, created_at_ms) VALUES ('${token.id}', 'backend', '${token.tokenHash}', ${T0})`,
  `UPDATE app_tokens SET last_used_at_ms = ${T0 + 1_000} WHERE id = '${token.id}'`,
  `INSERT INTO session_revocations (session_id, expires_at_ms) VALUES ('session-signed-out', ${T0 + 3_600_000})`,
  `UPDATE reconcile_state SET checkpoint_ms = ${T0 - 60_000}, next_run_at_ms = ${T0 + 300_000},
     last_started_at_ms = ${T0 - 5_000}, last_finished_at_ms = ${T0 - 4_000}, last_result = 'ok',
     recovered_total = 7, last_recovered = 2 WHERE id = 1`,
];

/** Proves the upgraded store still honours what the old release wrote. */
async function expectCarriedOver(store: ServiceStore): Promise<void> {
  const check = createAppTokenCheck(store, createLogger({ level: 'silent', pretty: false }));
  expect(await store.findAppToken(token.tokenHash)).toEqual({
    id: token.id,
    name: 'backend',
    createdAtMs: T0,
    lastUsedAtMs: T0 + 1_000,
    revokedAtMs: null,
  });
  expect(await check.verify(token.token, T0 + 2_000)).toEqual({ state: 'valid' });
  expect(await store.isSessionRevoked('session-signed-out')).toBe(true);
  expect(await store.isSessionRevoked('session-other')).toBe(false);
  expect(await store.getReconcileState()).toMatchObject({
    checkpointMs: T0 - 60_000,
    nextRunAtMs: T0 + 300_000,
    lastResult: 'ok',
    recoveredTotal: 7,
    lastRecovered: 2,
  });
}

/** The revocation works on the adopted row, and a revoked token stops authenticating. */
async function expectRevocable(store: ServiceStore): Promise<void> {
  const check = createAppTokenCheck(store, createLogger({ level: 'silent', pretty: false }));
  expect(await store.revokeAppToken(token.id, T0 + 5_000)).toBe('revoked');
  expect(await check.verify(token.token, T0 + 6_000)).toEqual({ state: 'revoked', id: token.id });
}

describe('upgrading a SQLite file of schema 12', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const tableNames = (path: string) => {
    const db = new Database(path, { readonly: true });
    try {
      const rows = db.prepare(
        "SELECT name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
      );
      return rows.all() as { name: string; sql: string | null }[];
    } finally {
      db.close();
    }
  };

  it('keeps tokens, sign-outs and the checkpoint; drops the old tables; a second migration changes nothing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pw-upgrade-'));
    const path = join(dir, 'db.sqlite');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    applySqliteMigrations(
      old,
      SQLITE_MIGRATIONS.filter((m) => m.version <= 12),
    );
    for (const sql of LEGACY_ROWS) old.exec(sql);
    old.close();

    const store = await openStore(`sqlite:${path}`);
    try {
      await expectCarriedOver(store);
    } finally {
      await store.close();
    }
    const names = tableNames(path).map((row) => row.name);
    for (const legacy of LEGACY_TABLES) expect(names).not.toContain(legacy);
    expect(names).toEqual(expect.arrayContaining(SERVICE_TABLES));
    const before = tableNames(path);

    const again = await openStore(`sqlite:${path}`);
    try {
      await expectCarriedOver(again);
      await expectRevocable(again);
    } finally {
      await again.close();
    }
    expect(tableNames(path)).toEqual(before);
    const db = new Database(path, { readonly: true });
    try {
      const versions = (table: string) => db.prepare(`SELECT version FROM ${table} ORDER BY version`).all();
      expect(versions('service_schema_migrations')).toEqual([{ version: 1 }]);
      expect(versions('schema_migrations')).toHaveLength(13);
    } finally {
      db.close();
    }
  });
});

const reachable = await postgresReachable();

describe.skipIf(!reachable)('upgrading a PostgreSQL schema of version 11', () => {
  let schema: string;
  afterEach(() => dropTestSchema(schema));

  const catalog = (pool: pg.Pool) =>
    pool
      .query(
        `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`,
        [schema],
      )
      .then((result) => result.rows as { name: string; kind: string }[]);

  it('keeps tokens, sign-outs and the checkpoint; drops the old tables; a second migration changes nothing', async () => {
    schema = testSchemaName();
    await withTestPool(async (pool) => {
      const list = POSTGRES_MIGRATIONS.filter((m) => m.version <= 11);
      await applyPostgresMigrations(createConnections(pool), schema, list);
      for (const sql of LEGACY_ROWS) await pool.query(`SET search_path TO "${schema}"; ${sql}`);
    });

    const store = await openStore(TEST_POSTGRES_URL, { postgresSchema: schema });
    try {
      await expectCarriedOver(store);
    } finally {
      await store.close();
    }
    const before = await withTestPool(catalog);
    const names = before.filter((row) => row.kind === 'r').map((row) => row.name);
    for (const legacy of LEGACY_TABLES) expect(names).not.toContain(legacy);
    expect(names).toEqual(expect.arrayContaining(SERVICE_TABLES));

    const again = await openStore(TEST_POSTGRES_URL, { postgresSchema: schema });
    try {
      await expectCarriedOver(again);
      await expectRevocable(again);
    } finally {
      await again.close();
    }
    expect(await withTestPool(catalog)).toEqual(before);
    const versions = (table: string) =>
      withTestPool(async (pool) => (await pool.query(`SELECT version FROM "${schema}".${table}`)).rows);
    expect(await versions('service_schema_migrations')).toEqual([{ version: 1 }]);
    expect(await versions('schema_migrations')).toHaveLength(POSTGRES_MIGRATIONS.length);
  });
});
