import { expect, it } from 'vitest';
import { createHoldLimit } from '../../packages/persona-webhooks/src/worker/hold-limit.js';

it('holds only `concurrency` until a handler time is known', () => {
  expect(createHoldLimit({ concurrency: 8, batchSize: 64, leaseMs: 60_000 }).current()).toBe(8);
});

it('holds up to batchSize when handlers are fast, and what the slots can start within the horizon otherwise', () => {
  const hold = createHoldLimit({ concurrency: 8, batchSize: 64, leaseMs: 60_000 });
  hold.record(2);
  expect(hold.current()).toBe(64);
  const medium = createHoldLimit({ concurrency: 8, batchSize: 64, leaseMs: 60_000 });
  medium.record(250); // 4 rounds of 8 fit in the 1 s horizon
  expect(medium.current()).toBe(32);
  const slow = createHoldLimit({ concurrency: 8, batchSize: 64, leaseMs: 60_000 });
  slow.record(5_000);
  expect(slow.current()).toBe(8);
});

it('never holds longer than half the lease', () => {
  const hold = createHoldLimit({ concurrency: 4, batchSize: 64, leaseMs: 200 });
  hold.record(30); // 100 ms horizon: 3 rounds of 4
  expect(hold.current()).toBe(12);
});

it('follows a slowdown: the moving average rises and the limit falls', () => {
  const hold = createHoldLimit({ concurrency: 8, batchSize: 64, leaseMs: 60_000 });
  hold.record(1);
  for (let i = 0; i < 60; i += 1) hold.record(2_000);
  expect(hold.current()).toBe(8);
});

it('never holds fewer than `concurrency`, even with a batchSize below it', () => {
  const hold = createHoldLimit({ concurrency: 8, batchSize: 3, leaseMs: 60_000 });
  hold.record(1);
  expect(hold.current()).toBe(8);
});
