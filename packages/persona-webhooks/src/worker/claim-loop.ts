/**
 * The worker's claim loop: claims due events into the held claims whenever it wakes (the store says
 * events arrived, a slot freed up, or the poll timer fired, the backstop that also finds due retries,
 * expired leases and wake-ups sent while it was busy), and backs off while the store is down.
 */
import { createClaimWithBackoff } from './claim-with-backoff.js';
import { createHeldClaims } from './held-claims.js';
import type { HoldLimit } from './hold-limit.js';
import type { InFlightWork } from './in-flight-work.js';
import type { ResolvedWorkerOptions } from './worker-options.js';

/** Wake-ups closer together than this are merged into one claim. */
const WAKE_DEBOUNCE_MS = 5;

export interface ClaimLoop {
  start(): void;
  /** Stops claiming and every timer; the work in flight is the caller's to wait for. */
  stop(): void;
}

export function createClaimLoop(
  config: ResolvedWorkerOptions,
  hold: HoldLimit,
  work: InFlightWork,
): ClaimLoop {
  let running = false;
  let pumping = false;
  let pumpAgain = false;
  let wakeTimer: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let unsubscribe: (() => void) | undefined;

  const schedulePump = (): void => {
    if (running) work.track(pump());
  };

  const wake = (): void => {
    if (!running || wakeTimer) return;
    wakeTimer = setTimeout(() => {
      wakeTimer = undefined;
      schedulePump();
    }, WAKE_DEBOUNCE_MS);
  };

  const claimer = createClaimWithBackoff(config, { running: () => running, retry: schedulePump });
  // Debounced: a draining backlog triggers one claim for the next batch, not one per event.
  const held = createHeldClaims(config, hold, work, wake);

  /** Claims until the hold limit is reached or a claim comes back short; one pump runs at a time. */
  const pump = async (): Promise<void> => {
    if (!running || claimer.pausing()) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        const limit = held.room();
        if (limit <= 0) return;
        const nowMs = config.now();
        const claims = await claimer.claim(limit, nowMs);
        held.add(claims, nowMs);
        if (claims.length === limit) pumpAgain = true;
      } while (pumpAgain && running && !claimer.pausing());
    } finally {
      pumping = false;
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      unsubscribe = config.store.onEventsAvailable(wake);
      pollTimer = setInterval(schedulePump, config.pollIntervalMs);
      schedulePump();
    },
    stop() {
      running = false;
      clearTimeout(wakeTimer);
      claimer.cancel();
      clearInterval(pollTimer);
      wakeTimer = pollTimer = undefined;
      try {
        unsubscribe?.();
      } catch {
        // A store already closed may refuse the unsubscribe; there is nothing left to stop then.
      }
      unsubscribe = undefined;
    },
  };
}
