/**
 * The service state fails as the event store does: a database that cannot answer rejects with
 * `StoreUnavailableError` (503, so HTTP never answers 500 for it), and a read-only tool refuses a
 * database whose service state is not migrated, naming it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../packages/persona-webhooks/src/store/sqlite/sqlite-store.js';
import { openStore } from '../../../packages/server/src/open-store.js';
import { createPostgresServiceState } from '../../../packages/server/src/service-state/postgres-service-state.js';
import { createSqliteServiceState } from '../../../packages/server/src/service-state/sqlite-service-state.js';
import { testPool } from '../../helpers/postgres.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pw-service-state-failures-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const UNAVAILABLE = { code: 'store_unavailable', status: 503 };

describe('a database that cannot answer', () => {
  it('SQLite: a file that is not a database is unavailable, and is opened again once it is one', async () => {
    const path = join(dir, 'db.sqlite');
    writeFileSync(path, 'not a database, but long enough to be read as a header '.repeat(4));
    const state = createSqliteServiceState(path);
    await expect(state.migrate()).rejects.toMatchObject(UNAVAILABLE);
    await expect(state.isSessionRevoked('s')).rejects.toMatchObject(UNAVAILABLE);
    rmSync(path);
    await state.migrate();
    expect(await state.isSessionRevoked('s')).toBe(false);
    await state.close();
  });

  it('SQLite: a missing file with mustExist is unavailable, never created', async () => {
    const state = createSqliteServiceState(join(dir, 'missing.sqlite'), { mustExist: true });
    await expect(state.listAppTokens()).rejects.toMatchObject(UNAVAILABLE);
  });

  it('PostgreSQL: a server that refuses connections is unavailable', async () => {
    const pool = testPool({ url: 'postgres://postgres@127.0.0.1:1/test' });
    try {
      const state = createPostgresServiceState(pool, 'persona_webhooks');
      await expect(state.getReconcileState()).rejects.toMatchObject(UNAVAILABLE);
      await expect(state.migrate()).rejects.toMatchObject(UNAVAILABLE);
    } finally {
      await pool.end();
    }
  });
});

describe('read-only tools (existing mode)', () => {
  it('refuse a database the library migrated but the service never did, saying to migrate', async () => {
    const path = join(dir, 'library-only.sqlite');
    const library = createSqliteStore({ database: () => new Database(path) });
    await library.migrate();
    await library.close();
    await expect(openStore(`sqlite:${path}`, { mode: 'existing' })).rejects.toThrow(/is not migrated/);
    const store = await openStore(`sqlite:${path}`);
    await store.close();
    const existing = await openStore(`sqlite:${path}`, { mode: 'existing' });
    expect(await existing.listAppTokens()).toEqual([]);
    await existing.close();
  });
});
