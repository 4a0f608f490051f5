/**
 * The PostgreSQL store through a database outage, simulated by a TCP proxy between the store and the
 * server: while cut, every call fails fast with StoreUnavailableError (so Persona gets a 503 well within
 * its 5 s and retries); once restored, the same store works again by itself, LISTEN included, and
 * nothing that was acknowledged is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../packages/persona-webhooks/src/errors.js';
import type { PostgresStore } from '../../packages/persona-webhooks/src/store/postgres/postgres-store.js';
import { openTestPostgresStore, postgresReachable, TEST_POSTGRES_URL } from '../helpers/postgres.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { inboxEvent } from './store-fixtures.js';

const reachable = await postgresReachable();

describe.skipIf(!reachable)('PostgreSQL store outage', () => {
  let proxy: TcpProxy;
  let store: PostgresStore;
  let direct: PostgresStore;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const target = new URL(TEST_POSTGRES_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(TEST_POSTGRES_URL);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const opened = await openTestPostgresStore({ url: proxied.toString() });
    store = opened.store;
    // A second instance on the same schema that never goes through the proxy: the witness.
    const witness = await openTestPostgresStore({ schema: opened.schema });
    direct = witness.store;
    cleanups.push(
      () => direct.close(),
      opened.cleanup,
      () => proxy.close(),
    );
  });
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('fails fast while the database is gone and recovers by itself when it returns', async () => {
    const acknowledged: string[] = [];
    const ingest = async (id: string) => {
      expect(await store.ingest(inboxEvent(id))).toBe('stored');
      acknowledged.push(id);
    };
    await Promise.all(['evt_before_1', 'evt_before_2', 'evt_before_3'].map(ingest));
    let wakes = 0;
    store.onEventsAvailable(() => {
      wakes++;
    });
    await expect.poll(() => wakes, { timeout: 5_000 }).toBeGreaterThan(0);

    await proxy.cut();
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => store.ingest(inboxEvent(`evt_during_${i}`))),
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(StoreUnavailableError);
    }
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.claim({ limit: 1, leaseMs: 1_000, nowMs: Date.now() })).rejects.toMatchObject({
      code: 'store_unavailable',
      status: 503,
    });
    await expect(store.getEvent('evt_before_1')).rejects.toBeInstanceOf(StoreUnavailableError);

    const wakesBeforeRestore = wakes;
    await proxy.restore();
    // Same store object, no reconnect call: the pool dials again on the next query.
    await expect(store.ping()).resolves.toBeUndefined();
    await ingest('evt_after_1');
    expect(await store.ingest(inboxEvent('evt_before_1'))).toBe('duplicate');

    // LISTEN came back too: a notification from the other instance reaches this one.
    await expect.poll(() => wakes, { timeout: 10_000 }).toBeGreaterThan(wakesBeforeRestore + 1);
    const baseline = wakes;
    await direct.ingest(inboxEvent('evt_from_witness'));
    await expect.poll(() => wakes, { timeout: 5_000 }).toBeGreaterThan(baseline);

    for (const id of acknowledged) expect((await direct.getEvent(id))?.status).toBe('pending');
    // Nothing rejected was acknowledged; whether it reached the table or not, a retry dedupes it.
    expect((await direct.counts()).pending).toBeGreaterThanOrEqual(acknowledged.length + 1);
  });

  it("answers within Persona's 5 s even when the connection hangs without an error", async () => {
    await store.ping();
    proxy.stall();
    try {
      const started = performance.now();
      const [ingest, ping] = await Promise.allSettled([
        store.ingest(inboxEvent('evt_stalled')),
        store.ping(),
      ]);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(ingest.status === 'rejected' && ingest.reason).toBeInstanceOf(StoreUnavailableError);
      expect(ping.status === 'rejected' && ping.reason).toBeInstanceOf(StoreUnavailableError);
    } finally {
      proxy.unstall();
    }
    // The held INSERT may commit late; Persona's retry is then a duplicate, never a second row.
    const retry = await store.ingest(inboxEvent('evt_stalled'));
    expect(['stored', 'duplicate']).toContain(retry);
    expect((await direct.getEvent('evt_stalled'))?.status).toBe('pending');
  });
});
