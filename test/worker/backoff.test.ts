import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, retryDelayMs } from '../../packages/persona-webhooks/src/worker/backoff.js';

const options = { baseMs: 1_000, capMs: 60_000 };

describe('retryDelayMs (equal jitter)', () => {
  it('doubles the step per attempt: [step/2, step]', () => {
    expect(retryDelayMs(1, options, () => 0)).toBe(500);
    expect(retryDelayMs(1, options, () => 1)).toBe(1_000);
    expect(retryDelayMs(3, options, () => 0)).toBe(2_000);
    expect(retryDelayMs(3, options, () => 1)).toBe(4_000);
  });

  it('stops growing at the cap', () => {
    expect(retryDelayMs(7, options, () => 1)).toBe(60_000);
    expect(retryDelayMs(500, options, () => 1)).toBe(60_000);
    expect(retryDelayMs(500, options, () => 0)).toBe(30_000);
  });

  it('is never near zero and never above the cap, for any attempt and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const delay = retryDelayMs(attempt, options, () => r);
          const step = Math.min(options.capMs, options.baseMs * 2 ** (attempt - 1));
          expect(delay).toBeGreaterThanOrEqual(step / 2);
          expect(delay).toBeLessThanOrEqual(step);
        },
      ),
    );
  });

  it('defaults to 1 s base, 1 h cap, 10 attempts', () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 1_000, capMs: 3_600_000, maxAttempts: 10 });
  });
});
