import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applySqliteMigrations } from '../../src/store/sqlite/migrate.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { openSqliteDatabase } from '../../src/store/sqlite/open-database.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { describeStoreContract } from './store-contract.js';
import { inboxEvent, quarantinedBody } from './store-fixtures.js';

const run = promisify(execFile);
const tempDirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'persona-sqlite-'));
  tempDirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of tempDirs.splice(0)) {
    await chmod(join(dir, 'ro'), 0o755).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});

describeStoreContract('sqlite file', async () => {
  // A nested path also proves the parent directory is created.
  const store = createSqliteStore({ path: join(await tempDir(), 'nested', 'events.db') });
  await store.migrate();
  return { store, cleanup: () => store.close() };
});

describe('SQLite store specifics', () => {
  let path: string;
  beforeEach(async () => {
    path = join(await tempDir(), 'events.db');
  });

  const schemaOf = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return {
        schema: db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY type, name').all(),
        migrations: db
          .prepare('SELECT version, name, applied_at_ms FROM schema_migrations ORDER BY version')
          .all(),
      };
    } finally {
      db.close();
    }
  };

  it('applies migrations once: a second run changes nothing', async () => {
    const store = createSqliteStore({ path });
    await store.migrate();
    const first = schemaOf(path);
    await store.migrate();
    await store.close();
    const reopened = createSqliteStore({ path });
    await reopened.migrate();
    await reopened.close();
    expect(schemaOf(path)).toEqual(first);
    expect(first.migrations.map((m) => (m as { version: number }).version)).toEqual(
      SQLITE_MIGRATIONS.map((m) => m.version),
    );
    const db = openSqliteDatabase(path, 100);
    expect(applySqliteMigrations(db, SQLITE_MIGRATIONS)).toEqual([]);
    db.close();
  });

  it('opens connections with WAL, synchronous=FULL, foreign keys and the busy timeout', async () => {
    const db = openSqliteDatabase(path, 1_234);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1_234);
    } finally {
      db.close();
    }
    // WAL is a property of the file: the store's own file has it too.
    const storePath = join(await tempDir(), 'store.db');
    const store = createSqliteStore({ path: storePath });
    await store.migrate();
    await store.close();
    const reader = new Database(storePath, { readonly: true });
    expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
    reader.close();
  });

  it('group-commits concurrent ingests into a few transactions, and respects batchMaxSize', async () => {
    const store = createSqliteStore({ path });
    await store.migrate();
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.ingest(inboxEvent(`evt_${i}`))),
    );
    expect(outcomes.every((o) => o === 'stored')).toBe(true);
    expect(store.writeStats()).toEqual({ batches: 1, writes: 100 });
    await store.close();

    const small = createSqliteStore({ path, batchMaxSize: 10 });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => small.ingest(inboxEvent(`evt_${i + 50}`))),
    );
    expect(results.filter((o) => o === 'stored')).toHaveLength(50);
    expect(small.writeStats()).toEqual({ batches: 10, writes: 100 });
    await small.close();
  });

  it('rolls back a whole batch when one row fails, rejecting every caller with store_unavailable', async () => {
    const store = createSqliteStore({ path });
    await store.migrate();
    const saboteur = new Database(path);
    saboteur.exec(`CREATE TRIGGER sabotage BEFORE INSERT ON events WHEN NEW.id = 'evt_bad'
      BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
    const batch = ['evt_ok1', 'evt_bad', 'evt_ok2'].map((id) => store.ingest(inboxEvent(id)));
    batch.push(store.quarantine(quarantinedBody('x')));
    const settled = await Promise.allSettled(batch);
    for (const result of settled) {
      expect(result).toMatchObject({
        status: 'rejected',
        reason: { code: 'store_unavailable', status: 503 },
      });
    }
    expect(await store.counts()).toEqual({ pending: 0, processing: 0, done: 0, dead: 0 });
    saboteur.exec('DROP TRIGGER sabotage');
    saboteur.close();
    expect(await store.ingest(inboxEvent('evt_ok1'))).toBe('stored');
    await store.close();
  });

  it('rejects with store_unavailable when another process holds the write lock past the busy timeout', async () => {
    const store = createSqliteStore({ path, busyTimeoutMs: 50 });
    await store.migrate();
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    await expect(store.ingest(inboxEvent('evt_a'))).rejects.toMatchObject({ code: 'store_unavailable' });
    holder.exec('ROLLBACK');
    holder.close();
    expect(await store.ingest(inboxEvent('evt_a'))).toBe('stored');
    await store.close();
  });

  it('does not acknowledge anything on a read-only database (file and directory chmod 0444)', async () => {
    const dir = join(await tempDir(), 'ro');
    const file = join(dir, 'events.db');
    const setup = createSqliteStore({ path: file });
    await setup.migrate();
    await setup.close();
    await chmod(join(dir, '..'), 0o755); // mkdtemp makes it 0700: let the unprivileged child in
    await chmod(file, 0o444);
    await chmod(dir, 0o444);

    // Root ignores permissions, so as root the child runs as `nobody` to feel them.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'readonly-ingest-child.ts'), file],
      { cwd: process.cwd(), ...asNobody },
    );
    expect(JSON.parse(stdout)).toMatchObject({ error: 'store_unavailable' });

    await chmod(dir, 0o755);
    const check = createSqliteStore({ path: file });
    expect(await check.getEvent('evt_readonly')).toBeNull();
    await check.close();
  });

  it('rejects while the file cannot be opened, and recovers by itself once it can', async () => {
    const parent = join(await tempDir(), 'not-yet-a-dir');
    await writeFile(parent, 'a file where the directory should be');
    const store = createSqliteStore({ path: join(parent, 'events.db') });
    await expect(store.migrate()).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(store.ingest(inboxEvent('evt_a'))).rejects.toMatchObject({ code: 'store_unavailable' });
    await rm(parent);
    await store.migrate();
    expect(await store.ingest(inboxEvent('evt_a'))).toBe('stored');
    await store.close();
  });
});
