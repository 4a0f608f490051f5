/**
 * A rolling count over the last 24 hours in one-minute buckets, kept in memory. The service counts
 * invalid-signature requests with it: they are refused before anything is stored, so the store cannot
 * tell, and one process's view is what an operator needs to notice a rotated secret. It restarts from
 * zero with the process; `since` says from when it counts.
 */
const MINUTE_MS = 60_000;
const BUCKETS = 24 * 60;

export class MinuteCounter {
  readonly #counts = new Uint32Array(BUCKETS);
  /** The minute (epoch ms / 60 000) each bucket currently holds. */
  readonly #minutes = new Float64Array(BUCKETS).fill(-1);
  readonly #startedAtMs: number;

  constructor(startedAtMs: number) {
    this.#startedAtMs = startedAtMs;
  }

  add(nowMs: number): void {
    const minute = Math.floor(nowMs / MINUTE_MS);
    const slot = minute % BUCKETS;
    // A time a day or more older than what the slot holds is outside the window: never clobber.
    if (this.#minutes[slot]! > minute) return;
    if (this.#minutes[slot] !== minute) {
      this.#minutes[slot] = minute;
      this.#counts[slot] = 0;
    }
    this.#counts[slot]! += 1;
  }

  /** How many in the 24 hours up to `nowMs` (whole minutes), and from when that count runs. */
  last24h(nowMs: number): { count: number; sinceMs: number } {
    const current = Math.floor(nowMs / MINUTE_MS);
    let count = 0;
    for (let slot = 0; slot < BUCKETS; slot++) {
      const minute = this.#minutes[slot]!;
      if (minute > current - BUCKETS && minute <= current) count += this.#counts[slot]!;
    }
    return { count, sinceMs: Math.max(this.#startedAtMs, nowMs - BUCKETS * MINUTE_MS) };
  }
}
