/**
 * The client-side request budget: at most `limit` requests in any sliding window (a minute in
 * production). Persona allows 300 requests a minute per environment, shared by every key and every
 * program of the customer; we stay well below it (default 120) so their own API use keeps room, and so
 * a long backfill can never starve it.
 */

/** Waits `ms`, or rejects with the signal's reason when aborted. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** `setTimeout` as a promise that an AbortSignal can cut short. */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface RequestBudgetOptions {
  /** Requests allowed per window. */
  limit: number;
  /** Window length. Default 60,000 ms. */
  windowMs?: number;
  now?: () => number;
  sleep?: Sleep;
}

/** A slot taken from the budget; `done()` once the request has been answered or has failed. */
export interface BudgetSlot {
  done(): void;
}

/**
 * A sliding-window request budget shared by every call of one client. A request counts from when it
 * was sent until `window` after its answer: the server sees it arrive somewhere in between, so the
 * limit holds on the server's clock too, whatever the latency.
 */
export class RequestBudget {
  readonly limit: number;
  readonly windowMs: number;
  readonly #now: () => number;
  readonly #sleep: Sleep;
  /** Each counted request and when it ended (Infinity while in flight). */
  #slots: Array<{ end: number }> = [];

  constructor(options: RequestBudgetOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new TypeError('the request budget must be a positive whole number of requests');
    }
    this.limit = options.limit;
    this.windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? sleep;
  }

  /** Resolves when one more request fits in the window; the slot counts until `done()` + window. */
  async take(signal?: AbortSignal): Promise<BudgetSlot> {
    for (;;) {
      const now = this.#now();
      this.#slots = this.#slots.filter((slot) => slot.end > now - this.windowMs);
      if (this.#slots.length < this.limit) {
        const slot = { end: Number.POSITIVE_INFINITY };
        this.#slots.push(slot);
        return {
          done: () => {
            if (slot.end === Number.POSITIVE_INFINITY) slot.end = this.#now();
          },
        };
      }
      // Wait until the earliest finished request leaves the window; with all in flight, poll briefly.
      const earliest = Math.min(...this.#slots.map((slot) => slot.end));
      const wait = Number.isFinite(earliest) ? earliest + this.windowMs - now : 10;
      await this.#sleep(Math.max(1, wait), signal);
    }
  }

  /** Requests counted in the window ending now (in flight included). */
  inWindow(): number {
    const now = this.#now();
    return this.#slots.filter((slot) => slot.end > now - this.windowMs).length;
  }
}
