import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { deferred } from './deferred.js';
import { ingestBuilt, manualClock, openTempStore, type TempStore } from './temp-store.js';

let temp: TempStore;
beforeEach(async () => {
  temp = await openTempStore();
});
afterEach(() => temp.dispose());

it('a second worker takes over an event whose worker died, once the lease expires; it completes exactly once', async () => {
  const { store } = temp;
  const clock = manualClock();
  const built = buildEvent({ name: 'inquiry.approved', inquiryId: 'inq_lease', referenceId: 'user-lease' });
  await ingestBuilt(store, built, clock.now());

  // Worker A claims, starts its handler and then hangs forever: as good as a crashed process.
  const hang = deferred();
  const runs: string[] = [];
  const warnings: string[] = [];
  const crashed = createWorker({
    store,
    now: clock.now,
    leaseMs: 1_000,
    logger: { info() {}, error() {}, warn: (_fields, message) => warnings.push(message) },
    dispatcher: {
      hasHandlers: () => true,
      async dispatch() {
        runs.push('A');
        await hang.promise;
      },
    },
  });
  const stuck = crashed.runOnce();
  await new Promise((r) => setTimeout(r, 50));
  expect(runs).toEqual(['A']);

  const rescuer = createWorker({
    store,
    now: clock.now,
    dispatcher: { hasHandlers: () => true, dispatch: async () => void runs.push('B') },
  });
  expect(await rescuer.runOnce()).toBe(0); // lease still held
  clock.advance(1_001);
  expect(await rescuer.runOnce()).toBe(1);
  expect(runs).toEqual(['A', 'B']);
  expect(await store.getEvent(built.eventId)).toMatchObject({ status: 'done', attempts: 2 });

  // The "dead" worker wakes up: its lease is gone, so its outcome is discarded and nothing throws.
  hang.resolve();
  await expect(stuck).resolves.toBe(1);
  expect(warnings).toContain('lease lost; outcome discarded');
  expect(await store.counts()).toMatchObject({ done: 1, pending: 0, processing: 0, dead: 0 });
  expect(await store.getKyc('user-lease')).toMatchObject({ status: 'approved', inquiryId: 'inq_lease' });
});
