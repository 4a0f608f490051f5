import { describe, expect, it } from 'vitest';
import { MinuteCounter } from '../../packages/server/src/server/observability/minute-counter.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

describe('MinuteCounter (invalid signatures over 24 h)', () => {
  it('counts what happened in the last 24 hours and forgets what is older', () => {
    const counter = new MinuteCounter(T0);
    counter.add(T0);
    counter.add(T0 + 30_000);
    counter.add(T0 + 5 * MIN);
    expect(counter.last24h(T0 + 10 * MIN)).toEqual({ count: 3, sinceMs: T0 });
    // 24 h later the first minute has left the window; the one at +5 min has not.
    expect(counter.last24h(T0 + 24 * 60 * MIN).count).toBe(1);
    expect(counter.last24h(T0 + 24 * 60 * MIN + 5 * MIN).count).toBe(0);
  });

  it('reuses a bucket for the same minute a day later without adding the old count', () => {
    const counter = new MinuteCounter(T0);
    counter.add(T0);
    counter.add(T0);
    const dayLater = T0 + 24 * 60 * MIN;
    counter.add(dayLater);
    expect(counter.last24h(dayLater)).toEqual({ count: 1, sinceMs: dayLater - 24 * 60 * MIN });
  });

  it('says it counts since the start when that is less than 24 hours ago', () => {
    const counter = new MinuteCounter(T0 + 3 * MIN);
    expect(counter.last24h(T0 + 10 * MIN)).toEqual({ count: 0, sinceMs: T0 + 3 * MIN });
  });
});
