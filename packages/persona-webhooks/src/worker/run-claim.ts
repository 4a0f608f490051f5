/**
 * Running claimed events: one at a time for the claim loop's slots, or a whole batch for `runOnce`.
 * A claim held past its lease is skipped, since another worker may own the event by then.
 */
import type { ClaimedEvent } from '../store/queue/work-queue.js';
import { errorLabel } from './error-text.js';
import type { HoldLimit } from './hold-limit.js';
import { processClaim } from './process-claim.js';
import type { ResolvedWorkerOptions } from './worker-options.js';

/** A claim held in memory until a slot frees up. */
export interface Held {
  claim: ClaimedEvent;
  /** When its lease ends, on the worker's clock. */
  leaseEndsMs: number;
}

/** Whether a held claim may still run: once its lease has ended, another worker may own it. */
export function leaseLive(held: Held, config: ResolvedWorkerOptions): boolean {
  return config.now() < held.leaseEndsMs;
}

/**
 * Runs one event to its outcome, feeds the hold limit the time it held its slot and reports it. Never
 * rejects. `handlersDone` (see `processClaim`) runs before the outcome's store write.
 */
export async function runClaim(
  claim: ClaimedEvent,
  config: ResolvedWorkerOptions,
  hold: HoldLimit,
  handlersDone: () => void = () => {},
): Promise<void> {
  const started = performance.now();
  const report = await processClaim(claim, config, () => {
    hold.record(performance.now() - started);
    handlersDone();
  });
  try {
    config.onProcessed?.(report);
  } catch (error) {
    config.logger.error({ eventId: claim.id, error: errorLabel(error) }, 'onProcessed callback threw');
  }
}

/** Runs claims with at most `concurrency` at once; used by runOnce, independent of the loop. */
export async function runBatch(
  claims: Held[],
  config: ResolvedWorkerOptions,
  hold: HoldLimit,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let held = claims[next++]; held; held = claims[next++]) {
      if (leaseLive(held, config)) await runClaim(held.claim, config, hold);
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, claims.length) }, lane));
}
