/**
 * Ingest's acknowledgement waits for an fdatasync of the WAL, which runs off the event loop: the
 * store's ingest promise must stay pending until that sync reports success, and reject if it fails.
 * node:fs's fdatasync is replaced (in this file only) by one the test completes by hand.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSqliteFileStore } from '../../packages/server/src/sqlite-file-store.js';
import { inboxEvent } from './store-fixtures.js';

const syncs = vi.hoisted(() => ({
  pending: [] as Array<{ fd: number; done: (error: NodeJS.ErrnoException | null) => void }>,
}));

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return {
    ...actual,
    fdatasync: (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => {
      syncs.pending.push({ fd, done });
    },
  };
});

const settledYet = async (promise: Promise<unknown>) => {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  return settled;
};

describe('SQLite ingest is acknowledged only once its WAL sync is done', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-sync-'));
    syncs.pending.length = 0;
  });
  afterEach(async () => {
    for (const sync of syncs.pending.splice(0)) sync.done(null);
    await rm(dir, { recursive: true, force: true });
  });

  it('holds the acknowledgement until fdatasync returns; the row is already visible to the worker', async () => {
    const store = createSqliteFileStore(join(dir, 'events.db'));
    await store.migrate();
    const ingest = store.ingest(inboxEvent('evt_sync_1'));
    expect(await settledYet(ingest)).toBe(false);
    expect(syncs.pending).toHaveLength(1);
    // Committed (a worker may claim it) but not acknowledged: at-least-once either way.
    expect((await store.getEvent('evt_sync_1'))?.status).toBe('pending');
    syncs.pending.shift()?.done(null);
    await expect(ingest).resolves.toBe('stored');
    const closing = store.close();
    for (const sync of syncs.pending.splice(0)) sync.done(null);
    await closing;
  });

  it('rejects an ingest whose sync failed as store_unavailable; the retry is a duplicate, acknowledged once a sync succeeds', async () => {
    const store = createSqliteFileStore(join(dir, 'events.db'));
    await store.migrate();
    const ingest = store.ingest(inboxEvent('evt_sync_2'));
    await settledYet(ingest);
    syncs.pending.shift()?.done(Object.assign(new Error('I/O error'), { code: 'EIO' }));
    await expect(ingest).rejects.toMatchObject({ code: 'store_unavailable' });
    // The retry finds the committed row: a duplicate, acknowledged once a sync succeeds.
    const retry = store.ingest(inboxEvent('evt_sync_2'));
    await settledYet(retry);
    syncs.pending.shift()?.done(null);
    await expect(retry).resolves.toBe('duplicate');
    await store.close();
  });
});
