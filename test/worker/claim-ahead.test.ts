import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { ClaimOptions } from '../../packages/persona-webhooks/src/store/queue/work-queue.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { until } from './deferred.js';
import { ingestBuilt, openTempStore, type TempStore } from './temp-store.js';

let temp: TempStore;
beforeEach(async () => {
  temp = await openTempStore();
});
afterEach(() => temp.dispose());

/** The store, with every claim's requested limit and returned count recorded. */
function recordingClaims(store: Store) {
  const claims: { limit: number; got: number }[] = [];
  const spy: Store = Object.create(store, {
    claim: {
      value: async (options: ClaimOptions) => {
        const got = await store.claim(options);
        claims.push({ limit: options.limit, got: got.length });
        return got;
      },
    },
  });
  return { spy, claims };
}

it('with fast handlers, claims batches bigger than concurrency but never runs more than concurrency at once', async () => {
  const { store } = temp;
  const total = 150;
  for (let i = 0; i < total; i += 1) await ingestBuilt(store, buildEvent({ name: 'inquiry.completed' }));
  const { spy, claims } = recordingClaims(store);
  let running = 0;
  let peak = 0;
  const dispatcher = {
    hasHandlers: () => true,
    async dispatch() {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running -= 1;
    },
  };
  const worker = createWorker({ store: spy, dispatcher, concurrency: 4, batchSize: 32, pollIntervalMs: 20 });
  worker.start();
  await until(async () => (await store.counts()).done === total);
  await worker.stop();
  expect(peak).toBe(4);
  expect(claims[0]?.limit).toBe(4); // no handler time known yet
  expect(Math.max(...claims.map((c) => c.limit))).toBe(32);
  expect(claims.every((c) => c.limit <= 32)).toBe(true);
  // One claim per slot-full would be ≥ 38 claims.
  expect(claims.filter((c) => c.got > 0).length).toBeLessThan(total / 4);
});

it('stop() runs the claims it holds instead of leaving them leased', async () => {
  const { store } = temp;
  for (let i = 0; i < 40; i += 1) await ingestBuilt(store, buildEvent({ name: 'inquiry.completed' }));
  const worker = createWorker({ store, concurrency: 2, batchSize: 40 });
  worker.start();
  await until(async () => (await store.counts()).done >= 10);
  await worker.stop();
  const counts = await store.counts();
  expect(counts.processing).toBe(0);
  expect(counts.done + counts.pending).toBe(40);
});
