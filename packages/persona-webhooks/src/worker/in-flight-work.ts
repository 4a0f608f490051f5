/**
 * The worker's work in flight: every handler run and claim it started, so a stop can wait for them,
 * and so none of them can end as an unhandled rejection.
 */
import { errorLabel } from './error-text.js';
import type { WorkerLogger } from './worker-options.js';

export interface InFlightWork {
  /** Keeps `work` until it settles; a rejection is logged, never left unhandled. */
  track(work: Promise<void>): void;
  /** Waits for everything in flight (including work started meanwhile), or gives up after the timeout. */
  settle(timeoutMs: number): Promise<void>;
}

export function createInFlightWork(logger: WorkerLogger): InFlightWork {
  const inFlight = new Set<Promise<void>>();
  return {
    track(work) {
      inFlight.add(work);
      // The tracked work is built not to reject; this catch is the guarantee against unhandled rejections.
      work
        .catch((error: unknown) =>
          logger.error({ error: errorLabel(error) }, 'worker task failed unexpectedly'),
        )
        .finally(() => inFlight.delete(work));
    },
    settle: (timeoutMs) => waitFor(inFlight, timeoutMs, logger),
  };
}

async function waitFor(inFlight: Set<Promise<void>>, timeoutMs: number, logger: WorkerLogger): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    while (inFlight.size > 0) {
      const outcome = await Promise.race([Promise.allSettled([...inFlight]), timedOut]);
      if (outcome === 'timeout') {
        logger.warn(
          { inFlight: inFlight.size, timeoutMs },
          'worker stop timed out; leases will expire and events rerun',
        );
        return;
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
