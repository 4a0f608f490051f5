/**
 * Reconciliation in the service: at start and then every interval, recover through Persona's Events API
 * every event the webhook did not bring. The checkpoint, the lease and the schedule live in the database
 * (the service state, `service-state/reconcile-state.ts`), so N instances on one database run one reconciliation per interval between them. A failed run is
 * logged and counted, backs off (doubling, up to an hour), and never touches webhook intake or
 * `/readyz`: it only ever runs in the background.
 */
import { randomUUID } from 'node:crypto';
import { PersonaWebhookError } from 'persona-webhooks';
import { PersonaApiAuthError, PersonaApiError } from '../persona-api/api-errors.js';
import type { PersonaApiClient } from '../persona-api/client.js';
import { sleep } from '../persona-api/request-budget.js';
import type { Logger } from '../server/observability/logger.js';
import type { ReconcileState, ReconcileStateStore } from '../service-state/reconcile-state.js';
import { type RecoverOptions, type RecoverSummary, recoverEvents } from './recover-events.js';

export const RECOVERED_WARNING =
  "received through reconciliation, not by webhook: check the webhook's URL, enabled events and secret — `persona-webhooks doctor`";

export interface ReconcileSettings {
  intervalMs: number;
  /** How far back the first run looks (no checkpoint yet). */
  lookbackMs: number;
  /** How far before the checkpoint each run looks again. */
  overlapMs: number;
  /** Events younger than this are left to the webhook (it is probably on its way). */
  minAgeMs: number;
}

export interface ReconcilerOptions extends ReconcileSettings {
  /** Where recovered events go, and the shared checkpoint and lease. */
  store: RecoverOptions['store'] & ReconcileStateStore;
  client: PersonaApiClient;
  logger: Logger;
  onRecovered?: (count: number) => void;
  onRun?: (result: 'ok' | 'failed') => void;
  /** Held while a run is in progress, renewed before each page. Default 5 minutes. */
  leaseMs?: number;
  /** Longest back-off after failures. Default one hour (or the interval, if longer). */
  maxBackoffMs?: number;
  now?: () => number;
}

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

class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { store, client, logger } = options;
  const now = options.now ?? Date.now;
  const instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const maxBackoffMs = options.maxBackoffMs ?? Math.max(60 * 60_000, options.intervalMs);
  const stopping = new AbortController();
  let loop: Promise<void> | undefined;
  let running: Promise<unknown> | undefined;

  async function run(state: ReconcileState): Promise<'ok' | 'failed'> {
    const startedAt = now();
    const untilMs = startedAt - options.minAgeMs;
    const sinceMs =
      state.checkpointMs === null ? startedAt - options.lookbackMs : state.checkpointMs - options.overlapMs;
    let summary: RecoverSummary;
    try {
      summary = await recoverEvents({
        client,
        store,
        sinceMs,
        untilMs,
        signal: stopping.signal,
        now,
        onEvent: (event, outcome) => {
          if (outcome !== 'stored') return;
          options.onRecovered?.(1);
          logger.warn(
            { eventId: event.id, eventName: event.name, createdAt: iso(event.createdAtMs), source: 'api' },
            RECOVERED_WARNING,
          );
        },
        beforeNextPage: async () => {
          if (!(await store.renewReconcileLease(instanceId, leaseMs, now()))) throw new LeaseLostError();
        },
      });
    } catch (error) {
      return fail(state, error);
    }
    const recorded = await store
      .finishReconcile(
        instanceId,
        {
          ok: true,
          checkpointMs: untilMs,
          recovered: summary.stored,
          nextRunAtMs: now() + options.intervalMs,
        },
        now(),
      )
      .catch(() => false);
    // Not recorded: the next run starts from the old checkpoint and finds these events already stored.
    if (!recorded) logger.warn('reconcile: could not record the run (lease lost or store unavailable)');
    options.onRun?.('ok');
    logger.info(
      {
        fetched: summary.fetched,
        recovered: summary.stored,
        alreadyStored: summary.alreadyStored,
        quarantined: summary.quarantined,
        pages: summary.pages,
        from: iso(sinceMs),
        to: iso(untilMs),
        durationMs: now() - startedAt,
      },
      'reconcile run',
    );
    return 'ok';
  }

  async function fail(state: ReconcileState, error: unknown): Promise<'failed'> {
    const failures = state.failures + 1;
    const backoffMs = Math.min(maxBackoffMs, options.intervalMs * 2 ** (failures - 1));
    const message = stopping.signal.aborted
      ? 'interrupted by shutdown'
      : error instanceof LeaseLostError
        ? 'the lease was taken over by another instance'
        : // Our own errors (API, store) name what failed and never quote payload data.
          error instanceof PersonaApiError || error instanceof PersonaWebhookError
          ? error.message
          : `unexpected ${(error as Error)?.name ?? 'error'}`;
    // A stopped run is due again at once, so another instance can take over without waiting.
    const nextRunAtMs = stopping.signal.aborted ? now() : now() + backoffMs;
    const recorded = await store
      .finishReconcile(instanceId, { ok: false, error: message, nextRunAtMs }, now())
      .catch(() => false);
    if (!recorded) logger.warn('reconcile: could not record the failed run; its lease expires by itself');
    if (stopping.signal.aborted) return 'failed';
    options.onRun?.('failed');
    const api =
      error instanceof PersonaApiError
        ? { code: error.code, status: error.status, requestId: error.requestId }
        : {};
    logger[error instanceof PersonaApiAuthError ? 'error' : 'warn'](
      { err: { type: (error as Error)?.name, ...api }, failures, retryInMs: backoffMs },
      `reconcile failed: ${message}`,
    );
    return 'failed';
  }

  async function runOnce(): Promise<'ok' | 'failed' | 'skipped'> {
    let state: ReconcileState | null;
    try {
      state = await store.claimReconcile(instanceId, leaseMs, now());
    } catch (error) {
      logger.warn(
        { err: { type: (error as Error).name } },
        'reconcile: the store is unavailable; will try again',
      );
      return 'skipped';
    }
    if (!state) return 'skipped';
    const current = run(state);
    running = current;
    try {
      return await current;
    } finally {
      running = undefined;
    }
  }

  /** Until the shared schedule's next run (re-read after every attempt), between 100 ms and the interval. */
  async function delayUntilDue(): Promise<number> {
    try {
      const state = await store.getReconcileState();
      const until = Math.max(state.nextRunAtMs, state.leaseExpiresAtMs ?? 0) - now();
      return Math.min(options.intervalMs, Math.max(100, until));
    } catch {
      return options.intervalMs;
    }
  }

  return {
    instanceId,
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
          await sleep(await delayUntilDue(), stopping.signal).catch(() => {});
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

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
