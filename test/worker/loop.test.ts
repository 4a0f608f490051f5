import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../packages/persona-webhooks/src/errors.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { deferred, until } from './deferred.js';
import { ingestBuilt, openTempStore, type TempStore } from './temp-store.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

describe('the worker loop', () => {
  let temp: TempStore;
  beforeEach(async () => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
    temp = await openTempStore();
  });
  afterEach(async () => {
    process.off('unhandledRejection', onUnhandled);
    await temp.dispose();
  });

  it('wakes on ingest without waiting for its poll', async () => {
    const { store } = temp;
    const worker = createWorker({ store, pollIntervalMs: 60_000 });
    worker.start();
    await new Promise((r) => setTimeout(r, 30)); // the start-up claim has found nothing
    const built = buildEvent({ name: 'inquiry.approved', inquiryId: 'inq_wake' });
    await ingestBuilt(store, built);
    await until(async () => (await store.getEvent(built.eventId))?.status === 'done', 2_000);
    await worker.stop();
  });

  it('processes up to `concurrency` events at once, never more', async () => {
    const { store } = temp;
    for (let i = 0; i < 7; i += 1) await ingestBuilt(store, buildEvent({ name: 'inquiry.completed' }));
    let running = 0;
    let peak = 0;
    const dispatcher = {
      hasHandlers: () => true,
      async dispatch() {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        running -= 1;
      },
    };
    const worker = createWorker({ store, dispatcher, concurrency: 3, pollIntervalMs: 10 });
    worker.start();
    await until(async () => (await store.counts()).done === 7);
    await worker.stop();
    expect(peak).toBe(3);
  });

  it('stop() waits for an in-flight handler, then resolves without closing the store', async () => {
    const { store } = temp;
    const built = buildEvent({ name: 'inquiry.approved' });
    await ingestBuilt(store, built);
    const started = deferred();
    const release = deferred();
    const worker = createWorker({
      store,
      pollIntervalMs: 10,
      dispatcher: {
        hasHandlers: () => true,
        async dispatch() {
          started.resolve();
          await release.promise;
        },
      },
    });
    worker.start();
    await started.promise;

    let stopped = false;
    const stopping = worker.stop({ timeoutMs: 5_000 }).then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    release.resolve();
    await stopping;
    expect(await store.getEvent(built.eventId)).toMatchObject({ status: 'done' });
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('stop() gives up on a stuck handler after timeoutMs', async () => {
    const { store } = temp;
    await ingestBuilt(store, buildEvent({ name: 'inquiry.approved' }));
    const started = deferred();
    const worker = createWorker({
      store,
      dispatcher: {
        hasHandlers: () => true,
        dispatch() {
          started.resolve();
          return new Promise<void>(() => {});
        },
      },
    });
    worker.start();
    await started.promise;
    const before = performance.now();
    await worker.stop({ timeoutMs: 100 });
    expect(performance.now() - before).toBeGreaterThanOrEqual(95);
    expect(performance.now() - before).toBeLessThan(2_000);
  });

  it('survives the store being closed under a running handler and a polling loop: no unhandled rejections', async () => {
    const { store } = temp;
    await ingestBuilt(store, buildEvent({ name: 'inquiry.approved' }));
    const started = deferred();
    const release = deferred();
    const errors: string[] = [];
    const worker = createWorker({
      store,
      pollIntervalMs: 5,
      logger: {
        info() {},
        warn: (f) => errors.push(String(f['error'])),
        error: (f) => errors.push(String(f['error'])),
      },
      dispatcher: {
        hasHandlers: () => true,
        async dispatch() {
          started.resolve();
          await release.promise;
        },
      },
    });
    worker.start();
    await started.promise;
    await store.close();
    release.resolve();
    await new Promise((r) => setTimeout(r, 100)); // polls hit the closed store meanwhile
    await worker.stop({ timeoutMs: 1_000 });
    expect(errors).toContain('store_unavailable');
    expect(unhandled).toEqual([]);
  });

  it('backs off while claims fail and resumes when the store answers again', async () => {
    const { store } = temp;
    const built = buildEvent({ name: 'inquiry.approved' });
    await ingestBuilt(store, built);
    let failures = 2;
    let claims = 0;
    const flaky: Store = Object.create(store, {
      claim: {
        value: (options: Parameters<Store['claim']>[0]) => {
          claims += 1;
          if (failures-- > 0) return Promise.reject(new StoreUnavailableError('database is locked'));
          return store.claim(options);
        },
      },
    });
    const worker = createWorker({ store: flaky, pollIntervalMs: 5 });
    worker.start();
    await until(async () => (await store.getEvent(built.eventId))?.status === 'done', 5_000);
    await worker.stop();
    // With a 5 ms poll and no backoff there would have been dozens of claims in the ~750 ms of outage.
    expect(claims).toBeLessThan(10);
    expect(unhandled).toEqual([]);
  });
});
