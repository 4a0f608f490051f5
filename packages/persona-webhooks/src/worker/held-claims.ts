/**
 * The claims the worker holds: running in one of its `concurrency` slots, or claimed and leased but
 * waiting for the next free slot, which then runs one without a claim query. How many it may hold is
 * the hold limit's call (`hold-limit.ts`).
 */
import type { ClaimedEvent } from '../store/queue/work-queue.js';
import type { HoldLimit } from './hold-limit.js';
import type { InFlightWork } from './in-flight-work.js';
import { type Held, leaseLive, runClaim } from './run-claim.js';
import type { ResolvedWorkerOptions } from './worker-options.js';

export interface HeldClaims {
  /** How many events to claim now: zero or less when the slots and the waiting claims are enough. */
  room(): number;
  /** Holds claims leased at `nowMs` and starts as many as there are free slots. */
  add(claims: readonly ClaimedEvent[], nowMs: number): void;
}

/** `slotFreed` runs after each event, while fewer than a slot-full are waiting: time to claim more. */
export function createHeldClaims(
  config: ResolvedWorkerOptions,
  hold: HoldLimit,
  work: InFlightWork,
  slotFreed: () => void,
): HeldClaims {
  /** Claimed, leased, not started yet: what the next free slot runs, without a claim query. */
  const waiting: Held[] = [];
  let active = 0;

  /** Fills free slots from the waiting claims; each finishing event frees a slot for the next at once. */
  const startWaiting = (): void => {
    while (active < config.concurrency) {
      const held = waiting.shift();
      if (!held) return;
      if (!leaseLive(held, config)) continue;
      active += 1;
      let slotHeld = true;
      // A slot is for running handlers: it frees as soon as only the outcome's store write is left, so
      // the writes of many events wait together and commit as one transaction (group commit), however
      // few slots there are.
      const freeSlot = (): void => {
        if (!slotHeld) return;
        slotHeld = false;
        active -= 1;
        startWaiting();
        if (waiting.length < config.concurrency) slotFreed();
      };
      work.track(runClaim(held.claim, config, hold, freeSlot).finally(freeSlot));
    }
  };

  return {
    room() {
      // A slot-full still waiting is enough; claiming again now would only shorten their leases.
      if (waiting.length >= config.concurrency) return 0;
      return Math.min(config.batchSize, hold.current() - active - waiting.length);
    },
    add(claims, nowMs) {
      for (const claim of claims) waiting.push({ claim, leaseEndsMs: nowMs + config.leaseMs });
      startWaiting();
    },
  };
}
