/**
 * A worker slot is for running handlers: it frees once only the outcome's store write is left, so the
 * writes of many events commit together whatever `concurrency` is, while handlers never run more than
 * `concurrency` at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { SqliteStore } from '../../packages/persona-webhooks/src/store/sqlite/sqlite-store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { ingestBuilt, openTempStore, type TempStore } from './temp-store.js';

const EVENTS = 40;

describe('worker slots', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await openTempStore();
    for (let i = 0; i < EVENTS; i++) {
      await ingestBuilt(temp.store, buildEvent({ name: 'inquiry.approved', referenceId: `user-slot-${i}` }));
    }
  });
  afterEach(() => temp.dispose());

  it('commits the outcomes of handler-free events together even with one slot', async () => {
    const store = temp.store as SqliteStore;
    const before = store.writeStats().completeBatches;
    const worker = createWorker({ store, concurrency: 1 });
    worker.start();
    await expect.poll(async () => (await store.counts()).done, { timeout: 10_000 }).toBe(EVENTS);
    await worker.stop();
    // One slot holding each event through its write would take one transaction per event.
    expect(store.writeStats().completeBatches - before).toBeLessThanOrEqual(EVENTS / 4);
    expect((await store.getKyc('user-slot-7'))?.decision).toBe('approved');
  });

  it('still runs at most `concurrency` handlers at once', async () => {
    let running = 0;
    let most = 0;
    const dispatcher = {
      hasHandlers: () => true,
      async dispatch() {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running--;
      },
    };
    const worker = createWorker({ store: temp.store, dispatcher, concurrency: 3 });
    worker.start();
    await expect.poll(async () => (await temp.store.counts()).done, { timeout: 10_000 }).toBe(EVENTS);
    await worker.stop();
    expect(most).toBe(3);
  });
});
