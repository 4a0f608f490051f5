/**
 * When the client tries again, and how long it waits first. A `429` waits exactly as long as Persona
 * says (`ratelimit-reset`, else `Retry-After`); a 5xx, a timeout or a network error backs off
 * exponentially with jitter. Any other 4xx is final: repeating the same request cannot change it.
 */

/** Longest back-off between two attempts after a 5xx or a network error. */
const MAX_BACKOFF_MS = 10_000;

/** A `429` without any reset header waits this long, doubling per repeat. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

/** Whether a status is worth repeating the same request for (besides 429, handled on its own). */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408;
}

/**
 * Exponential back-off with equal jitter: half of `base·2^retry` fixed, half random, capped, so
 * instances that failed together do not retry in lock-step.
 */
export function backoffDelayMs(retry: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** retry);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * How long a `429` asks us to wait, in ms: `ratelimit-reset` (seconds until Persona's window resets),
 * else `Retry-After` (seconds or an HTTP date), else a doubling default. A 0 reset still waits a
 * moment, since the window turns over on Persona's clock, not ours.
 */
export function rateLimitWaitMs(headers: Headers, repeat: number, nowMs: number = Date.now()): number {
  const reset = seconds(headers.get('ratelimit-reset'));
  if (reset !== null) return Math.max(reset * 1000, 100);
  const retryAfter = headers.get('retry-after');
  const retrySeconds = seconds(retryAfter);
  if (retrySeconds !== null) return Math.max(retrySeconds * 1000, 100);
  if (retryAfter) {
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(at - nowMs, 100);
  }
  return DEFAULT_RATE_LIMIT_WAIT_MS * 2 ** repeat;
}

function seconds(value: string | null): number | null {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return null;
  return Number(value);
}
