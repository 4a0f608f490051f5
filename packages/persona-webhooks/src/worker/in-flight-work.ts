/**
 * The worker's work in flight: every handler run and claim it started, so a stop can wait for them,
 * and so none of them can end as an unhandled rejection.
 */
import { PendingCount } from '../pending-count.js';
import { errorLabel } from './error-text.js';
import type { WorkerLogger } from './worker-options.js';

export interface InFlightWork {
  /** Keeps `work` until it settles; a rejection is logged, never left unhandled. */
  track(work: Promise<void>): void;
  /** Waits for everything in flight (including work started meanwhile), or gives up after the timeout. */
  settle(timeoutMs: number): Promise<void>;
}

export function createInFlightWork(logger: WorkerLogger): InFlightWork {
  // A count, not a Set of the promises: see pending-count.ts.
  const inFlight = new PendingCount();
  return {
    track(work) {
      inFlight.track(work);
      // The tracked work is built not to reject; this catch is the guarantee against unhandled rejections.
      work.catch((error: unknown) =>
        logger.error({ error: errorLabel(error) }, 'worker task failed unexpectedly'),
      );
    },
    settle: (timeoutMs) => waitFor(inFlight, timeoutMs, logger),
  };
}

async function waitFor(inFlight: PendingCount, timeoutMs: number, logger: WorkerLogger): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([inFlight.idle(), timedOut]);
    if (outcome === 'timeout') {
      logger.warn(
        { inFlight: inFlight.size, timeoutMs },
        'worker stop timed out; leases will expire and events rerun',
      );
    }
  } finally {
    clearTimeout(timer);
  }
}
