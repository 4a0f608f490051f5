/**
 * Persona's environment rate limit as documented: a fixed window that starts with the first request
 * (300 requests per 60 s by default) and resets when it ends. Every authenticated answer carries
 * `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset` (seconds until the window resets);
 * beyond the limit the answer is `429`.
 */

export interface RateLimitVerdict {
  allowed: boolean;
  headers: Record<string, string>;
}

export class FixedWindowRateLimiter {
  #windowStartMs = 0;
  #count = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request and says whether it is within the limit. */
  take(): RateLimitVerdict {
    const now = this.now();
    if (now >= this.#windowStartMs + this.windowMs) {
      this.#windowStartMs = now;
      this.#count = 0;
    }
    this.#count++;
    const resetSeconds = Math.max(1, Math.ceil((this.#windowStartMs + this.windowMs - now) / 1000));
    const headers = {
      'ratelimit-limit': String(this.limit),
      'ratelimit-remaining': String(Math.max(0, this.limit - this.#count)),
      'ratelimit-reset': String(resetSeconds),
    };
    return { allowed: this.#count <= this.limit, headers };
  }
}
