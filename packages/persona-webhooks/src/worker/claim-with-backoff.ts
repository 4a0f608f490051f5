/**
 * The claim loop's claim, and its answer to a store outage: a failed claim returns nothing, and each
 * consecutive failure doubles the pause before the next claim (from 250 ms, at most 30 s); the first
 * claim that works again says so in the log.
 */
import type { ClaimedEvent } from '../store/queue/work-queue.js';
import { errorLabel } from './error-text.js';
import type { ResolvedWorkerOptions } from './worker-options.js';

/** The longest pause after consecutive claim failures (store down). */
const MAX_CLAIM_BACKOFF_MS = 30_000;

export interface ClaimWithBackoff {
  /** Claims up to `limit` events; after a failure, empty and (while running) a pause, then `retry`. */
  claim(limit: number, nowMs: number): Promise<ClaimedEvent[]>;
  /** Whether a pause is running: no claim until it ends. */
  pausing(): boolean;
  cancel(): void;
}

export function createClaimWithBackoff(
  config: ResolvedWorkerOptions,
  loop: { running(): boolean; retry(): void },
): ClaimWithBackoff {
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const backOff = (error: unknown): void => {
    failures += 1;
    const delayMs = Math.min(MAX_CLAIM_BACKOFF_MS, 250 * 2 ** Math.min(failures - 1, 16));
    config.logger.warn(
      { error: errorLabel(error), failures, retryInMs: delayMs },
      'claim failed; backing off',
    );
    if (loop.running()) {
      timer = setTimeout(() => {
        timer = undefined;
        loop.retry();
      }, delayMs);
    }
  };

  return {
    async claim(limit, nowMs) {
      try {
        const claims = await config.store.claim({ limit, leaseMs: config.leaseMs, nowMs });
        if (failures > 0) config.logger.info({ failures }, 'store reachable again; worker resumed');
        failures = 0;
        return claims;
      } catch (error) {
        backOff(error);
        return [];
      }
    },
    pausing: () => timer !== undefined,
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
