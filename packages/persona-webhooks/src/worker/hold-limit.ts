/**
 * How many claimed events the worker may hold at once, running or waiting for a slot. One claim query
 * for many rows costs about what one for a few does, so claiming ahead of free slots saves most of the
 * claim transactions; but a waiting event's lease is already running. So the worker only holds what
 * its slots can start within a short horizon (half the lease, at most 1 s so a graceful stop can still
 * finish what it holds), judged by recent handler times. Until it has seen a handler finish, and
 * whenever handlers are slow, the limit is `concurrency`: claim no more than can start now.
 */

/** The longest a held event should wait for a slot. */
const MAX_HORIZON_MS = 1_000;
/** Weight of the newest duration in the moving average: adapts within a few dozen events. */
const SMOOTHING = 0.1;

/** The moving estimate and the limit derived from it. */
export interface HoldLimit {
  /** Feeds the time one event held its slot (parsing and its handlers, up to its store write). */
  record(durationMs: number): void;
  /** Events to hold now: at least `concurrency`, at most `max(concurrency, batchSize)`. */
  current(): number;
}

/**
 * @example
 * const hold = createHoldLimit({ concurrency: 8, batchSize: 64, leaseMs: 60_000 });
 * hold.record(2); // 2 ms per event: 8 slots start 64 events well within the horizon
 * hold.current(); // 64
 */
export function createHoldLimit(options: {
  concurrency: number;
  batchSize: number;
  leaseMs: number;
}): HoldLimit {
  const { concurrency, batchSize } = options;
  const horizonMs = Math.min(MAX_HORIZON_MS, options.leaseMs / 2);
  let averageMs: number | undefined;
  return {
    record(durationMs) {
      averageMs = averageMs === undefined ? durationMs : averageMs + SMOOTHING * (durationMs - averageMs);
    },
    current() {
      if (averageMs === undefined) return concurrency;
      const rounds = Math.floor(horizonMs / Math.max(averageMs, 0.01));
      return Math.max(concurrency, Math.min(batchSize, concurrency * rounds));
    },
  };
}
