import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applySqliteMigrations } from '../../packages/persona-webhooks/src/store/sqlite/migrate.js';
import { SQLITE_MIGRATIONS } from '../../packages/persona-webhooks/src/store/sqlite/migrations.js';
import { openSqliteDatabase } from '../../packages/persona-webhooks/src/store/sqlite/open-database.js';
import { createSqliteStore } from '../../packages/persona-webhooks/src/store/sqlite/sqlite-store.js';
import { createSqliteFileStore } from '../../packages/server/src/sqlite-file-store.js';
import { describeOutboxContract } from './outbox-contract.js';
import { describeRecoveryContract } from './recovery-contract.js';
import { describeStoreContract } from './store-contract.js';
import { claimOne, inboxEvent, inquiryUpdate, quarantinedBody, T0 } from './store-fixtures.js';

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
  const store = createSqliteFileStore(join(await tempDir(), 'nested', 'events.db'));
  await store.migrate();
  return { store, cleanup: () => store.close() };
});

describeOutboxContract('sqlite file', async () => {
  const store = createSqliteFileStore(join(await tempDir(), 'events.db'));
  await store.migrate();
  return { store, cleanup: () => store.close() };
});

describeRecoveryContract('sqlite file', async (count) => {
  // Several stores on one file are several processes sharing it.
  const path = join(await tempDir(), 'events.db');
  const stores = Array.from({ length: count }, () => createSqliteFileStore(path));
  for (const store of stores) await store.migrate();
  return { stores, cleanup: async () => void (await Promise.all(stores.map((store) => store.close()))) };
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
    const store = createSqliteFileStore(path);
    await store.migrate();
    const first = schemaOf(path);
    await store.migrate();
    await store.close();
    const reopened = createSqliteFileStore(path);
    await reopened.migrate();
    await reopened.close();
    expect(schemaOf(path)).toEqual(first);
    expect(first.migrations.map((m) => (m as { version: number }).version)).toEqual(
      SQLITE_MIGRATIONS.map((m) => m.version),
    );
    const db = openSqliteDatabase(new Database(path), 100);
    expect(applySqliteMigrations(db, SQLITE_MIGRATIONS)).toEqual([]);
    db.close();
  });

  it('moves the bodies of a version-4 database into event_bodies (migration 5), purged ones staying purged', async () => {
    const db = openSqliteDatabase(new Database(path), 100);
    applySqliteMigrations(
      db,
      SQLITE_MIGRATIONS.filter((m) => m.version <= 4),
    );
    const insert =
      db.prepare(`INSERT INTO events (id, name, created_at, created_at_ms, body, received_at_ms, status, run_at_ms)
      VALUES (?, 'inquiry.approved', '2024-01-01T00:00:00Z', 0, ?, 0, 'pending', 0)`);
    insert.run('evt_kept', Buffer.from('{"kept":true}'));
    insert.run('evt_purged', null);
    db.close();

    const store = createSqliteFileStore(path);
    await store.migrate();
    expect((await store.getEvent('evt_kept'))?.payload).toBe('{"kept":true}');
    expect((await store.getEvent('evt_purged'))?.payload).toBeNull();
    const [claimed] = await store.claim({ limit: 10, leaseMs: 1_000, nowMs: 1 });
    expect(claimed?.body && new TextDecoder().decode(claimed.body)).toBe('{"kept":true}');
    await store.close();
    const check = new Database(path);
    const columns = check.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('events');
    check.close();
    expect(columns).not.toContain('body');
  });

  it('opens connections with WAL, synchronous=FULL, foreign keys and the busy timeout', async () => {
    const db = new Database(path);
    openSqliteDatabase(db, 1_234);
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
    const store = createSqliteFileStore(storePath);
    await store.migrate();
    await store.close();
    const reader = new Database(storePath, { readonly: true });
    expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
    reader.close();
  });

  it('group-commits concurrent ingests into a few transactions, and respects batchMaxSize', async () => {
    const store = createSqliteFileStore(path);
    await store.migrate();
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.ingest(inboxEvent(`evt_${i}`))),
    );
    expect(outcomes.every((o) => o === 'stored')).toBe(true);
    expect(store.writeStats()).toMatchObject({ batches: 1, writes: 100 });
    await store.close();

    const small = createSqliteFileStore(path, { batchMaxSize: 10 });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => small.ingest(inboxEvent(`evt_${i + 50}`))),
    );
    expect(results.filter((o) => o === 'stored')).toHaveLength(50);
    expect(small.writeStats()).toMatchObject({ batches: 10, writes: 100 });
    await small.close();
  });

  it('groups concurrent completes into ONE transaction; a stale lease returns false, the others commit', async () => {
    const store = createSqliteFileStore(path);
    await store.migrate();
    const ids = ['evt_1', 'evt_2', 'evt_3', 'evt_4'];
    for (const id of ids) await store.ingest(inboxEvent(id, { inquiryId: `inq_${id}` }));
    const claims = await store.claim({ limit: 10, leaseMs: 60_000, nowMs: T0 });
    expect(claims).toHaveLength(4);
    const before = store.writeStats().completeBatches;
    const results = await Promise.all(
      claims.map((claim, i) =>
        store.complete(
          i === 2 ? { ...claim, leaseToken: 'stolen' } : claim,
          [inquiryUpdate({ inquiryId: `inq_${claim.id}`, eventId: claim.id, status: 'approved' })],
          T0 + 1,
        ),
      ),
    );
    expect(results).toEqual([true, true, false, true]);
    expect(store.writeStats().completeBatches - before).toBe(1);
    expect(await store.counts()).toMatchObject({ done: 3, processing: 1 });
    expect(await store.getInquiry('inq_evt_3')).toBeNull();
    expect(await store.getInquiry('inq_evt_4')).toMatchObject({ status: 'approved' });
    await store.close();
  });

  it('decides each user once per grouped complete, on every committed event of it, and never on a lost lease', async () => {
    const changes: { referenceId: string; decision: string; personaEventId: string | null }[] = [];
    const store = createSqliteFileStore(path, {
      onDecisionChanged: ({ referenceId, decision, personaEventId }) =>
        void changes.push({ referenceId, decision, personaEventId }),
    });
    await store.migrate();
    for (const id of ['evt_1', 'evt_2', 'evt_3', 'evt_4']) await store.ingest(inboxEvent(id));
    const claims = await store.claim({ limit: 10, leaseMs: 60_000, nowMs: T0 });
    const byId = new Map(claims.map((claim) => [claim.id, claim]));
    const approve = inquiryUpdate({
      eventId: 'evt_1',
      inquiryId: 'inq_u',
      referenceId: 'user-u',
      status: 'approved',
      statusAtMs: T0 + 1,
    });
    // The report names only the inquiry: it reaches user-u through the inquiry committed just before it.
    const match = {
      kind: 'report' as const,
      reportId: 'rep_u',
      reportType: 'watchlist',
      referenceId: null,
      accountId: null,
      inquiryId: 'inq_u',
      status: 'ready',
      hasMatch: true,
      isContinuous: false,
      statusAtMs: T0 + 2,
      eventId: 'evt_2',
      matched: true,
      cleared: false,
    };
    const link = {
      kind: 'links' as const,
      objectId: 'rep_u',
      objectKind: 'report' as const,
      related: [{ id: 'inq_u', kind: 'inquiry' as const }],
    };
    const before = store.writeStats().completeBatches;
    const results = await Promise.all([
      store.complete(byId.get('evt_1')!, [approve], T0 + 10),
      store.complete(byId.get('evt_2')!, [match, link], T0 + 10),
      store.complete(
        { ...byId.get('evt_3')!, leaseToken: 'stolen' },
        [inquiryUpdate({ eventId: 'evt_3', inquiryId: 'inq_v', referenceId: 'user-v', status: 'approved' })],
        T0 + 10,
      ),
      store.complete(
        byId.get('evt_4')!,
        [inquiryUpdate({ eventId: 'evt_4', inquiryId: 'inq_w', referenceId: 'user-w', status: 'declined' })],
        T0 + 10,
      ),
    ]);
    expect(results).toEqual([true, true, false, true]);
    expect(store.writeStats().completeBatches - before).toBe(1);
    // One change for user-u, caused by the later of its two events; none for the lost lease's user.
    expect(changes.sort((a, b) => a.referenceId.localeCompare(b.referenceId))).toEqual([
      { referenceId: 'user-u', decision: 'needs_review', personaEventId: 'evt_2' },
      { referenceId: 'user-w', decision: 'declined', personaEventId: 'evt_4' },
    ]);
    expect((await store.getKyc('user-u'))?.reasons.map((r) => r.code)).toEqual([
      'watchlist_match',
      'inquiry_approved',
    ]);
    expect(await store.getKyc('user-v')).toBeNull();
    await store.close();
  });

  it('undoes only the event whose update fails inside a grouped complete (savepoint per event)', async () => {
    const store = createSqliteFileStore(path);
    await store.migrate();
    for (const id of ['evt_a', 'evt_b', 'evt_c']) await store.ingest(inboxEvent(id));
    const saboteur = new Database(path);
    saboteur.exec(`CREATE TRIGGER sabotage BEFORE INSERT ON inquiries WHEN NEW.inquiry_id = 'inq_bad'
      BEGIN SELECT RAISE(ABORT, 'bad row'); END`);
    saboteur.close();
    const claims = await store.claim({ limit: 10, leaseMs: 60_000, nowMs: T0 });
    const settled = await Promise.allSettled(
      claims.map((claim) =>
        store.complete(
          claim,
          [
            inquiryUpdate({
              inquiryId: claim.id === 'evt_b' ? 'inq_bad' : `inq_${claim.id}`,
              eventId: claim.id,
            }),
          ],
          T0 + 1,
        ),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // A data error is reported as what it is, not disguised as an outage.
    expect(settled[1]).toMatchObject({ reason: { code: 'SQLITE_CONSTRAINT_TRIGGER' } });
    expect((await store.getEvent('evt_b'))?.status).toBe('processing');
    expect((await store.getEvent('evt_b'))?.attemptLog).toMatchObject([{ outcome: null }]);
    expect((await store.getEvent('evt_c'))?.status).toBe('done');
    expect(await store.getInquiry('inq_evt_a')).not.toBeNull();
    await store.close();
  });

  it('commits admin writes with synchronous=FULL, worker transactions with NORMAL unless told, ingest with NORMAL plus its own WAL sync', async () => {
    // A trigger records the sync level in force on the store's own connection as each write runs.
    const syncLog = async (options: { workerSynchronous?: 'full' }) => {
      const file = join(await tempDir(), 'sync.db');
      const store = createSqliteFileStore(file, options);
      await store.migrate();
      const spy = new Database(file);
      spy.exec(`CREATE TABLE sync_log (seq INTEGER PRIMARY KEY, what TEXT, level INTEGER);
        CREATE TRIGGER log_insert AFTER INSERT ON events
          BEGIN INSERT INTO sync_log (what, level) SELECT 'ingest', synchronous FROM pragma_synchronous; END;
        CREATE TRIGGER log_update AFTER UPDATE OF status ON events
          BEGIN INSERT INTO sync_log (what, level) SELECT NEW.status, synchronous FROM pragma_synchronous; END;`);
      await store.ingest(inboxEvent('evt_1'));
      const first = await claimOne(store, T0);
      await store.fail(first, 'boom', T0, T0); // back to pending
      const second = await claimOne(store, T0 + 1);
      await store.complete(second, [], T0 + 2);
      await store.replay('evt_1', T0 + 3);
      await store.ingest(inboxEvent('evt_2'));
      const log = spy.prepare('SELECT what, level FROM sync_log ORDER BY seq').all();
      spy.close();
      await store.close();
      return log;
    };
    const [FULL, NORMAL] = [2, 1];
    // Ingest's commit does not sync; its acknowledgement waits for an fdatasync of the WAL off the event
    // loop instead (sqlite-ingest-sync.test.ts).
    expect(await syncLog({})).toEqual([
      { what: 'ingest', level: NORMAL },
      { what: 'processing', level: NORMAL }, // claim
      { what: 'pending', level: NORMAL }, // fail
      { what: 'processing', level: NORMAL },
      { what: 'done', level: NORMAL }, // complete
      { what: 'pending', level: FULL }, // replay
      { what: 'ingest', level: NORMAL },
    ]);
    const allFull = await syncLog({ workerSynchronous: 'full' });
    expect(allFull.map((row) => (row as { level: number }).level)).toEqual([
      NORMAL,
      ...Array(5).fill(FULL),
      NORMAL,
    ]);
  });

  it('isolates a row the database refuses: its batch neighbours are stored, it alone is rejected as event_rejected', async () => {
    const store = createSqliteFileStore(path);
    await store.migrate();
    const saboteur = new Database(path);
    saboteur.exec(`CREATE TRIGGER sabotage BEFORE INSERT ON events WHEN NEW.id = 'evt_bad'
      BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    const batch = ['evt_ok1', 'evt_bad', 'evt_ok2'].map((id) => store.ingest(inboxEvent(id)));
    batch.push(store.quarantine(quarantinedBody('x')));
    const settled = await Promise.allSettled(batch);
    expect(settled.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(settled[1]).toMatchObject({ reason: { code: 'event_rejected' } });
    expect((settled[1] as PromiseRejectedResult).reason.message).toContain('SQLITE_CONSTRAINT_TRIGGER');
    expect(await store.counts()).toEqual({ pending: 2, processing: 0, done: 0, dead: 1 });
    expect(store.writeStats().batches).toBe(5); // the failed batch, then each of its four rows alone
    saboteur.exec('DROP TRIGGER sabotage');
    saboteur.close();
    expect(await store.ingest(inboxEvent('evt_bad'))).toBe('stored');
    await store.close();
  });

  it('refuses a connection SQLite opened read-only, and recovers by itself once the file opens writable', async () => {
    const setup = createSqliteFileStore(path);
    await setup.migrate();
    await setup.close();
    let writable = false;
    const store = createSqliteStore({ database: () => new Database(path, { readonly: !writable }) });
    await expect(store.ingest(inboxEvent('evt_ro'))).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(store.ping()).rejects.toMatchObject({ code: 'store_unavailable' });
    writable = true;
    await expect(store.ping()).resolves.toBeUndefined();
    expect(await store.ingest(inboxEvent('evt_ro'))).toBe('stored');
    await store.close();
  });

  it.each(['', '-wal'])(
    'refuses writes once the database file%s is deleted under it, and is unready, instead of acknowledging into a deleted file',
    async (suffix) => {
      const store = createSqliteFileStore(path);
      await store.migrate();
      expect(await store.ingest(inboxEvent('evt_before'))).toBe('stored');
      await rm(`${path}${suffix}`);
      await expect(store.ingest(inboxEvent('evt_after'))).rejects.toMatchObject({
        code: 'store_unavailable',
        message: expect.stringContaining('deleted or replaced'),
      });
      await expect(store.ping()).rejects.toMatchObject({ code: 'store_unavailable' });
      await store.close();
    },
  );

  it('treats a bug (a missing table) as an error, not as an outage', async () => {
    const store = createSqliteFileStore(path);
    await store.migrate();
    const saboteur = new Database(path);
    saboteur.exec('DROP TABLE verifications');
    saboteur.close();
    const error = await store.getVerification('ver_1').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SQLITE_ERROR' });
    expect(error).not.toMatchObject({ code: 'store_unavailable' });
    await store.close();
  });

  it('rejects with store_unavailable when another process holds the write lock past the busy timeout', async () => {
    const store = createSqliteFileStore(path, { busyTimeoutMs: 50 });
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
    const setup = createSqliteFileStore(file);
    await setup.migrate();
    await setup.close();
    await chmod(file, 0o444);
    await chmod(dir, 0o444);

    // Root ignores permissions, so as root the child runs without the capabilities that let it
    // (setpriv, util-linux): it stays root, so it can still read a checkout only root may enter.
    const child = [
      process.execPath,
      '--import',
      'tsx',
      join(import.meta.dirname, 'readonly-ingest-child.ts'),
      file,
    ];
    const [command, ...args] =
      process.getuid?.() === 0
        ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--', ...child]
        : child;
    const { stdout } = await run(command!, args, { cwd: process.cwd() });
    expect(JSON.parse(stdout)).toMatchObject({ error: 'store_unavailable' });

    await chmod(dir, 0o755);
    const check = createSqliteFileStore(file);
    expect(await check.getEvent('evt_readonly')).toBeNull();
    await check.close();
  });

  it('rejects while the file cannot be opened, and recovers by itself once it can', async () => {
    const parent = join(await tempDir(), 'not-yet-a-dir');
    await writeFile(parent, 'a file where the directory should be');
    const store = createSqliteFileStore(join(parent, 'events.db'));
    await expect(store.migrate()).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(store.ingest(inboxEvent('evt_a'))).rejects.toMatchObject({ code: 'store_unavailable' });
    await rm(parent);
    await store.migrate();
    expect(await store.ingest(inboxEvent('evt_a'))).toBe('stored');
    await store.close();
  });
});
