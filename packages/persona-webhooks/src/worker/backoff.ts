/**
 * Retry delays for failed handler runs. We use AWS's "equal jitter": half the exponential step is
 * fixed and half is random, i.e. a delay in [step/2, step] with step = min(cap, base·2^(attempt-1)).
 * Full jitter spreads load slightly better, but can pick ~0 ms, which turns a retry into an immediate
 * hammering of whatever just failed (a downstream API, a rate limit). Equal jitter still
 * de-synchronises a burst of events that failed together, and guarantees a real pause.
 */

/** Backoff settings; every field has a default. */
export interface BackoffOptions {
  /** Delay step of the first retry, in ms. Default 1 s. */
  baseMs?: number;
  /** The largest delay, in ms. Default 1 h. */
  capMs?: number;
  /** Attempts before an event is dead (the first run included). Default 10. */
  maxAttempts?: number;
}

/** The defaults: 1 s doubling to at most 1 h, dead after 10 attempts (about 4.5 h of retries at worst). */
export const DEFAULT_BACKOFF: Readonly<Required<BackoffOptions>> = Object.freeze({
  baseMs: 1_000,
  capMs: 60 * 60 * 1_000,
  maxAttempts: 10,
});

/**
 * The delay before retrying after failed attempt number `attempt` (1-based).
 *
 * @example
 * retryDelayMs(1, { baseMs: 1000, capMs: 3_600_000 }); // 500–1000 ms
 * retryDelayMs(4, { baseMs: 1000, capMs: 3_600_000 }); // 4000–8000 ms
 */
export function retryDelayMs(
  attempt: number,
  options: { baseMs: number; capMs: number },
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // 2^exponent overflows to Infinity long after it passes any cap, and Math.min handles Infinity.
  const step = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  const half = step / 2;
  return Math.round(half + random() * half);
}
