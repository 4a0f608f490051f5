/**
 * Reconciliation in the service: at start and then every interval, recover through Persona's Events API
 * every event the webhook did not bring. The checkpoint, the lease and the schedule live in the database
 * (the service state, `service-state/reconcile-state.ts`), so N instances on one database run one reconciliation per interval between them. A failed run is
 * logged and counted, backs off (doubling, up to an hour), and never touches webhook intake or
 * `/readyz`: it only ever runs in the background.
 */
import { randomUUID } from 'node:crypto';
import { sleep } from '../persona-api/request-budget.js';
import type { ReconcileState, ReconcileStateStore } from '../service-state/reconcile-state.js';
import { type RunContext, runReconcile } from './reconcile-run.js';
import type { ReconcilerOptions, ReconcileSettings } from './reconciler-options.js';

export { RECOVERED_WARNING } from './reconcile-run.js';

export type { ReconcilerOptions, ReconcileSettings } from './reconciler-options.js';

export interface Reconciler {
  /** This instance's lease owner id. */
  readonly instanceId: string;
  readonly settings: ReconcileSettings;
  start(): void;
  /** Claims and runs one reconciliation if it is due; `skipped` when not due or another instance runs. */
  runOnce(): Promise<'ok' | 'failed' | 'skipped'>;
  /** Stops the schedule and any run in progress (its lease is released). */
  stop(): Promise<void>;
}

export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { store, logger } = options;
  const now = options.now ?? Date.now;
  const stopping = new AbortController();
  const context: RunContext = {
    options,
    instanceId: `${process.pid}-${randomUUID().slice(0, 8)}`,
    leaseMs: options.leaseMs ?? 5 * 60_000,
    maxBackoffMs: options.maxBackoffMs ?? Math.max(60 * 60_000, options.intervalMs),
    now,
    signal: stopping.signal,
  };
  let loop: Promise<void> | undefined;
  let running: Promise<unknown> | undefined;

  async function runOnce(): Promise<'ok' | 'failed' | 'skipped'> {
    let state: ReconcileState | null;
    try {
      state = await store.claimReconcile(context.instanceId, context.leaseMs, now());
    } catch (error) {
      logger.warn(
        { err: { type: (error as Error).name } },
        'reconcile: the store is unavailable; will try again',
      );
      return 'skipped';
    }
    if (!state) return 'skipped';
    const current = runReconcile(context, state);
    running = current;
    try {
      return await current;
    } finally {
      running = undefined;
    }
  }

  return {
    instanceId: context.instanceId,
    settings: {
      intervalMs: options.intervalMs,
      lookbackMs: options.lookbackMs,
      overlapMs: options.overlapMs,
      minAgeMs: options.minAgeMs,
    },
    runOnce,
    start() {
      loop ??= (async () => {
        while (!stopping.signal.aborted) {
          await runOnce();
          await sleep(await delayUntilDue(store, options.intervalMs, now), stopping.signal).catch(() => {});
        }
      })();
    },
    async stop() {
      stopping.abort();
      await running?.catch(() => {});
      await loop;
    },
  };
}

/** Until the shared schedule's next run (re-read after every attempt), between 100 ms and the interval. */
async function delayUntilDue(
  store: ReconcileStateStore,
  intervalMs: number,
  now: () => number,
): Promise<number> {
  try {
    const state = await store.getReconcileState();
    const until = Math.max(state.nextRunAtMs, state.leaseExpiresAtMs ?? 0) - now();
    return Math.min(intervalMs, Math.max(100, until));
  } catch {
    return intervalMs;
  }
}
