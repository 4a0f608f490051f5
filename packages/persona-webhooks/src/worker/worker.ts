/**
 * The worker: the only thing that runs handlers. It leases due events from the store, runs them with
 * bounded concurrency, and records done / retry / dead. It wakes when the store says events arrived
 * and on a poll timer, the backstop that also finds due retries, expired leases and wake-ups sent
 * while it was busy. Store outages back it off; nothing it does can crash the process.
 */
import type { ClaimedEvent } from '../store/queue/work-queue.js';
import { errorLabel } from './error-text.js';
import { createHoldLimit } from './hold-limit.js';
import { processClaim } from './process-claim.js';
import { type ResolvedWorkerOptions, resolveWorkerOptions, type WorkerOptions } from './worker-options.js';

export type { HandlerRunner, ProcessedReport, WorkerLogger, WorkerOptions } from './worker-options.js';

/** A running (or runnable) worker. */
export interface Worker {
  /** Starts the claim loop; calling it again does nothing. */
  start(): void;
  /**
   * Stops claiming, waits up to `timeoutMs` (default 10 s) for running handlers and the few claims
   * held for the next free slot (see `hold-limit.ts`), then resolves.
   * Does not close the store: its owner does, after this resolves.
   */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** Claims one batch, processes it fully and returns how many events it claimed. */
  runOnce(): Promise<number>;
  /** Runs batches until none is due (future retries are not waited for). */
  drain(): Promise<void>;
}

/** A claim held in memory until a slot frees up. */
interface Held {
  claim: ClaimedEvent;
  /** When its lease ends, on the worker's clock. */
  leaseEndsMs: number;
}

/** Wake-ups closer together than this are merged into one claim. */
const WAKE_DEBOUNCE_MS = 5;
/** The longest pause after consecutive claim failures (store down). */
const MAX_CLAIM_BACKOFF_MS = 30_000;

/**
 * @example
 * const worker = createWorker({ store, dispatcher, logger });
 * worker.start();
 * process.once('SIGTERM', async () => {
 *   await worker.stop({ timeoutMs: 10_000 });
 *   await store.close();
 * });
 */
export function createWorker(options: WorkerOptions): Worker {
  const config = resolveWorkerOptions(options);
  const inFlight = new Set<Promise<void>>();
  const hold = createHoldLimit(config);
  /** Claimed, leased, not started yet: what the next free slot runs, without a claim query. */
  const waiting: Held[] = [];
  let active = 0;
  let running = false;
  let pumping = false;
  let pumpAgain = false;
  let claimFailures = 0;
  let backoffTimer: ReturnType<typeof setTimeout> | undefined;
  let wakeTimer: ReturnType<typeof setTimeout> | undefined;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let unsubscribe: (() => void) | undefined;

  const track = (work: Promise<void>): void => {
    inFlight.add(work);
    // The tracked work is built not to reject; this catch is the guarantee against unhandled rejections.
    work
      .catch((error: unknown) =>
        config.logger.error({ error: errorLabel(error) }, 'worker task failed unexpectedly'),
      )
      .finally(() => inFlight.delete(work));
  };

  const runClaim = async (claim: ClaimedEvent): Promise<void> => {
    const report = await processClaim(claim, config);
    hold.record(report.durationMs);
    try {
      config.onProcessed?.(report);
    } catch (error) {
      config.logger.error({ eventId: claim.id, error: errorLabel(error) }, 'onProcessed callback threw');
    }
  };

  /** Whether a held claim may still run: once its lease has ended, another worker may own it. */
  const leaseLive = (held: Held): boolean => config.now() < held.leaseEndsMs;

  /** Fills free slots from the waiting claims; each finishing event frees a slot for the next at once. */
  const startWaiting = (): void => {
    while (active < config.concurrency) {
      const held = waiting.shift();
      if (!held) return;
      if (!leaseLive(held)) continue;
      active += 1;
      track(
        runClaim(held.claim).finally(() => {
          active -= 1;
          startWaiting();
          // Debounced: a draining backlog triggers one claim for the next batch, not one per event.
          if (waiting.length < config.concurrency) wake();
        }),
      );
    }
  };

  /** Claims until the hold limit is reached or a claim comes back short; one pump runs at a time. */
  const pump = async (): Promise<void> => {
    if (!running || backoffTimer) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        // A slot-full still waiting is enough; claiming again now would only shorten their leases.
        if (waiting.length >= config.concurrency) return;
        const limit = Math.min(config.batchSize, hold.current() - active - waiting.length);
        if (limit <= 0) return;
        const nowMs = config.now();
        const claims = await claimOrBackOff(limit, nowMs);
        for (const claim of claims) waiting.push({ claim, leaseEndsMs: nowMs + config.leaseMs });
        startWaiting();
        if (claims.length === limit) pumpAgain = true;
      } while (pumpAgain && running && !backoffTimer);
    } finally {
      pumping = false;
    }
  };

  const claimOrBackOff = async (limit: number, nowMs: number): Promise<ClaimedEvent[]> => {
    try {
      const claims = await config.store.claim({ limit, leaseMs: config.leaseMs, nowMs });
      if (claimFailures > 0)
        config.logger.info({ failures: claimFailures }, 'store reachable again; worker resumed');
      claimFailures = 0;
      return claims;
    } catch (error) {
      claimFailures += 1;
      const delayMs = Math.min(MAX_CLAIM_BACKOFF_MS, 250 * 2 ** Math.min(claimFailures - 1, 16));
      config.logger.warn(
        { error: errorLabel(error), failures: claimFailures, retryInMs: delayMs },
        'claim failed; backing off',
      );
      if (running) {
        backoffTimer = setTimeout(() => {
          backoffTimer = undefined;
          schedulePump();
        }, delayMs);
      }
      return [];
    }
  };

  const schedulePump = (): void => {
    if (running) track(pump());
  };

  const wake = (): void => {
    if (!running || wakeTimer) return;
    wakeTimer = setTimeout(() => {
      wakeTimer = undefined;
      schedulePump();
    }, WAKE_DEBOUNCE_MS);
  };

  /** Runs claims with at most `concurrency` at once; used by runOnce, independent of the loop. */
  const runBatch = async (claims: Held[]): Promise<void> => {
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let held = claims[next++]; held; held = claims[next++]) {
        if (leaseLive(held)) await runClaim(held.claim);
      }
    };
    await Promise.all(Array.from({ length: Math.min(config.concurrency, claims.length) }, lane));
  };

  const worker: Worker = {
    start() {
      if (running) return;
      running = true;
      unsubscribe = config.store.onEventsAvailable(wake);
      pollTimer = setInterval(schedulePump, config.pollIntervalMs);
      schedulePump();
    },

    async stop(stopOptions = {}) {
      running = false;
      clearTimeout(wakeTimer);
      clearTimeout(backoffTimer);
      clearInterval(pollTimer);
      wakeTimer = backoffTimer = pollTimer = undefined;
      try {
        unsubscribe?.();
      } catch {
        // A store already closed may refuse the unsubscribe; there is nothing left to stop then.
      }
      unsubscribe = undefined;
      await waitFor(inFlight, stopOptions.timeoutMs ?? 10_000, config);
    },

    async runOnce() {
      const nowMs = config.now();
      const claims = await config.store.claim({
        limit: Math.min(config.batchSize, hold.current()),
        leaseMs: config.leaseMs,
        nowMs,
      });
      const work = runBatch(claims.map((claim) => ({ claim, leaseEndsMs: nowMs + config.leaseMs })));
      track(work);
      await work;
      return claims.length;
    },

    async drain() {
      while ((await worker.runOnce()) > 0) {
        // Each batch may have scheduled nothing new; the loop ends when a claim comes back empty.
      }
    },
  };
  return worker;
}

/** Waits for everything in flight (including work started meanwhile), or gives up after the timeout. */
async function waitFor(
  inFlight: Set<Promise<void>>,
  timeoutMs: number,
  config: ResolvedWorkerOptions,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    while (inFlight.size > 0) {
      const outcome = await Promise.race([Promise.allSettled([...inFlight]), timedOut]);
      if (outcome === 'timeout') {
        config.logger.warn(
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
