/** The in-flight counter the worker and group commit wait on instead of keeping a Set of promises. */
import { describe, expect, it } from 'vitest';
import { PendingCount } from '../../packages/persona-webhooks/src/pending-count.js';
import { deferred } from './deferred.js';

describe('PendingCount', () => {
  it('is idle at once when nothing was tracked', async () => {
    const pending = new PendingCount();
    await expect(pending.idle()).resolves.toBeUndefined();
    expect(pending.size).toBe(0);
  });

  it('waits for work started while it waited, and counts a rejection as settled', async () => {
    const pending = new PendingCount();
    const first = deferred();
    const second = deferred();
    pending.track(first.promise);
    let idle = false;
    const waiting = pending.idle().then(() => {
      idle = true;
    });
    pending.track(second.promise);
    expect(pending.size).toBe(2);

    first.resolve();
    await first.promise;
    await Promise.resolve();
    expect(idle).toBe(false); // the second is still in flight

    second.reject(new Error('failed'));
    await waiting;
    expect(idle).toBe(true);
    expect(pending.size).toBe(0);
  });

  it('nextSettled wakes on the first of several to settle, and at once when none is in flight', async () => {
    const pending = new PendingCount();
    await expect(pending.nextSettled()).resolves.toBeUndefined();
    const slow = deferred();
    const fast = deferred();
    pending.track(slow.promise);
    pending.track(fast.promise);
    let woke = false;
    const waiting = pending.nextSettled().then(() => {
      woke = true;
    });
    await Promise.resolve();
    expect(woke).toBe(false);
    fast.reject(new Error('failed'));
    await waiting;
    expect(woke).toBe(true);
    expect(pending.size).toBe(1); // the slow one is still in flight
    slow.resolve();
    await pending.idle();
  });
});
