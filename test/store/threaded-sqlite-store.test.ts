/**
 * The service's SQLite store runs in a worker thread. The whole store contract runs against it, from
 * the built package (a worker thread loads JavaScript, not the TypeScript sources vitest transforms).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createThreadedSqliteStore } from '../../packages/server/dist/sqlite-thread/threaded-sqlite-store.js';
import { describeOutboxContract } from './outbox-contract.js';
import { describeStoreContract } from './store-contract.js';
import { inboxEvent } from './store-fixtures.js';

const dirs: string[] = [];
async function freshPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'threaded-store-'));
  dirs.push(dir);
  return join(dir, 'nested', 'events.db');
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describeStoreContract('sqlite in a worker thread', async () => {
  const store = createThreadedSqliteStore(await freshPath());
  await store.migrate();
  return { store, cleanup: () => store.close() };
});

describeOutboxContract('sqlite in a worker thread', async () => {
  const store = createThreadedSqliteStore(await freshPath());
  await store.migrate();
  return { store, cleanup: () => store.close() };
});

describe('SQLite store thread', () => {
  it('tells the worker about new events, and refuses calls once closed', async () => {
    const store = createThreadedSqliteStore(await freshPath());
    await store.migrate();
    let notices = 0;
    store.onEventsAvailable(() => {
      notices += 1;
    });
    await store.ingest(inboxEvent('evt_thread_1'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(notices).toBeGreaterThan(0);
    await store.close();
    await expect(store.counts()).rejects.toMatchObject({ code: 'store_unavailable', status: 503 });
  });

  it('keeps what it acknowledged across a close and a new thread on the same file', async () => {
    const path = await freshPath();
    const first = createThreadedSqliteStore(path);
    await first.migrate();
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => first.ingest(inboxEvent(`evt_many_${i}`))),
    );
    expect(outcomes.every((outcome) => outcome === 'stored')).toBe(true);
    await first.close();
    const second = createThreadedSqliteStore(path);
    expect(await second.counts()).toMatchObject({ pending: 50 });
    expect(await second.ingest(inboxEvent('evt_many_0'))).toBe('duplicate');
    await second.close();
  });
});
