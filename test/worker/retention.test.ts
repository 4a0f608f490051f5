import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import { startRetention } from '../../packages/persona-webhooks/src/worker/retention.js';
import { until } from './deferred.js';
import { ingestBuilt, manualClock, openTempStore, type TempStore } from './temp-store.js';

const DAY = 24 * 3_600_000;
let temp: TempStore;
beforeEach(async () => {
  temp = await openTempStore();
});
afterEach(() => temp.dispose());

it('purges bodies older than the retention period on start and on each run, keeping the ids', async () => {
  const { store } = temp;
  const clock = manualClock();
  const old = buildEvent({ name: 'inquiry.approved' });
  const recent = buildEvent({ name: 'inquiry.approved' });
  await ingestBuilt(store, old, clock.now() - 31 * DAY);
  await ingestBuilt(store, recent, clock.now() - 29 * DAY);

  const warnings: string[] = [];
  const retention = startRetention({
    store,
    now: clock.now,
    logger: { info() {}, error() {}, warn: (_f, message) => warnings.push(message) },
  });
  try {
    await until(async () => (await store.getEvent(old.eventId))?.payload === null);
    expect((await store.getEvent(recent.eventId))?.payload).toContain(recent.eventId);

    clock.advance(2 * DAY);
    expect(await retention.runOnce()).toBe(1);
    expect(await retention.runOnce()).toBe(0);
    expect(await store.getEvent(recent.eventId)).toMatchObject({ id: recent.eventId, payload: null });
    // Ids stay, so a late redelivery is still recognised.
    expect(await ingestBuilt(store, old)).toBe('duplicate');
    expect(warnings).toEqual([]);
  } finally {
    retention.stop();
  }
});

it('a failing purge on the timer is logged, never an unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await temp.store.close();
    const warnings: unknown[] = [];
    const retention = startRetention({
      store: temp.store,
      intervalMs: 10,
      logger: { info() {}, error() {}, warn: (fields) => warnings.push(fields) },
    });
    await until(() => warnings.length >= 2);
    retention.stop();
    expect(warnings[0]).toEqual({ error: 'store_unavailable' });
    await expect(retention.runOnce()).rejects.toMatchObject({ code: 'store_unavailable' });
    await new Promise((r) => setTimeout(r, 20));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
