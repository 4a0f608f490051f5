/**
 * The worker: the only thing that runs handlers. It leases due events from the store, runs them with
 * bounded concurrency, and records done / retry / dead. It wakes when the store says events arrived
 * and on a poll timer, the backstop that also finds due retries, expired leases and wake-ups sent
 * while it was busy. Store outages back it off; nothing it does can crash the process.
 */
import { createClaimLoop } from './claim-loop.js';
import { createHoldLimit } from './hold-limit.js';
import { createInFlightWork } from './in-flight-work.js';
import { runBatch } from './run-claim.js';
import { resolveWorkerOptions, type WorkerOptions } from './worker-options.js';

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

/**
 * The loop (`claim-loop.ts`) and `runOnce` share the hold limit and the work in flight, so a stop
 * waits for both.
 *
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
  const hold = createHoldLimit(config);
  const work = createInFlightWork(config.logger);
  const loop = createClaimLoop(config, hold, work);

  const worker: Worker = {
    start() {
      loop.start();
    },

    async stop(stopOptions = {}) {
      loop.stop();
      await work.settle(stopOptions.timeoutMs ?? 10_000);
    },

    async runOnce() {
      const nowMs = config.now();
      const claims = await config.store.claim({
        limit: Math.min(config.batchSize, hold.current()),
        leaseMs: config.leaseMs,
        nowMs,
      });
      const batch = runBatch(
        claims.map((claim) => ({ claim, leaseEndsMs: nowMs + config.leaseMs })),
        config,
        hold,
      );
      work.track(batch);
      await batch;
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
