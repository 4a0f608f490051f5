/**
 * When a failed delivery is tried again: the schedule the Standard Webhooks specification recommends
 * (immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h later: about 28 hours in all), each
 * delay with ±20 % jitter so endpoints coming back are not hit by every message at once. After the
 * last attempt the message is dead until replayed.
 */

/** Delay before attempt n+1 after attempt n failed (index n-1), in ms. */
export const RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
]);

/** Attempts before a message is dead: the first one and one per delay. */
export const MAX_DELIVERY_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/**
 * When to try again after `attempt` (1-based) failed, or null when it was the last.
 *
 * @example
 * nextAttemptAt(1, Date.now()); // about 5 s from now
 */
export function nextAttemptAt(
  attempt: number,
  nowMs: number,
  random: () => number = Math.random,
  delays: readonly number[] = RETRY_DELAYS_MS,
): number | null {
  const delay = delays[attempt - 1];
  if (delay === undefined) return null;
  return nowMs + Math.round(delay * (0.8 + 0.4 * random()));
}
