/**
 * Retention: raw bodies hold personal data, so they are purged once they are older than the retention
 * period. Event ids (and statuses) stay, so Persona's late retries are still deduplicated.
 */
import type { QueueControls } from '../store/queue/work-queue.js';
import { errorLabel } from './error-text.js';
import type { WorkerLogger } from './worker-options.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Options of `startRetention`; only `store` is required. */
export interface RetentionOptions {
  store: Pick<QueueControls, 'purgeBodies'>;
  /** Bodies received longer ago than this are purged. Default 30 days (Persona keeps deliveries 30 days). */
  retentionMs?: number;
  /** How often to purge. Default 1 h. */
  intervalMs?: number;
  now?: () => number;
  logger?: WorkerLogger;
}

/** A running retention timer. */
export interface Retention {
  /** Stops the timer; a purge already running finishes on its own. */
  stop(): void;
  /** Purges now; resolves with how many bodies were purged. Rejects if the store does. */
  runOnce(): Promise<number>;
}

/**
 * Purges on start, then every `intervalMs`. Timer runs never reject: a store outage is logged and the
 * next tick tries again.
 *
 * @example
 * const retention = startRetention({ store, retentionMs: 30 * 24 * 3_600_000 });
 * // on shutdown, before closing the store:
 * retention.stop();
 */
export function startRetention(options: RetentionOptions): Retention {
  const retentionMs = options.retentionMs ?? 30 * DAY_MS;
  const intervalMs = options.intervalMs ?? 60 * 60 * 1000;
  if (!(retentionMs >= 0) || !(intervalMs > 0))
    throw new RangeError('startRetention: retentionMs must be ≥ 0 and intervalMs > 0');
  const now = options.now ?? Date.now;
  let stopped = false;

  const runOnce = () => options.store.purgeBodies(now() - retentionMs);
  const tick = () => {
    if (stopped) return;
    runOnce().then(
      (purged) => {
        if (purged > 0) options.logger?.info({ purged }, 'retention purged event bodies');
      },
      (error: unknown) =>
        options.logger?.warn({ error: errorLabel(error) }, 'retention purge failed; will retry'),
    );
  };

  const timer = setInterval(tick, intervalMs);
  // Retention alone must not keep a process alive that has nothing else to do.
  timer.unref();
  tick();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    runOnce,
  };
}
