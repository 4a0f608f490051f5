/**
 * One reconciliation run, once this instance holds the lease: recover the window's events page by page
 * (renewing the lease before each page), then record the outcome in the shared state — the new
 * checkpoint, or the failure and its back-off — and log it. The schedule around it: `reconciler.ts`.
 */
import { PersonaWebhookError } from 'persona-webhooks';
import { PersonaApiAuthError, PersonaApiError } from '../persona-api/api-errors.js';
import type { ReconcileState } from '../service-state/reconcile-state.js';
import type { ReconcilerOptions } from './reconciler-options.js';
import { type RecoverSummary, recoverEvents } from './recover-events.js';

export const RECOVERED_WARNING =
  "received through reconciliation, not by webhook: check the webhook's URL, enabled events and secret — `persona-webhooks doctor`";

/** What a run needs from the reconciler that claimed it. */
export interface RunContext {
  options: ReconcilerOptions;
  /** This instance's lease owner id. */
  instanceId: string;
  leaseMs: number;
  maxBackoffMs: number;
  now: () => number;
  /** Aborted when the reconciler stops. */
  signal: AbortSignal;
}

class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/** Runs one claimed reconciliation from `state`'s checkpoint; a failure is recorded and logged, never thrown. */
export async function runReconcile(context: RunContext, state: ReconcileState): Promise<'ok' | 'failed'> {
  const { options, now } = context;
  const startedAt = now();
  const untilMs = startedAt - options.minAgeMs;
  const sinceMs =
    state.checkpointMs === null ? startedAt - options.lookbackMs : state.checkpointMs - options.overlapMs;
  let summary: RecoverSummary;
  try {
    summary = await recoverWindow(context, sinceMs, untilMs);
  } catch (error) {
    return failReconcile(context, state, error);
  }
  const recorded = await options.store
    .finishReconcile(
      context.instanceId,
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
  if (!recorded) options.logger.warn('reconcile: could not record the run (lease lost or store unavailable)');
  options.onRun?.('ok');
  options.logger.info(
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

/** Recovers the events created between the two times, warning about each one the webhook did not bring. */
function recoverWindow(context: RunContext, sinceMs: number, untilMs: number): Promise<RecoverSummary> {
  const { options, now } = context;
  const { store, logger } = options;
  return recoverEvents({
    client: options.client,
    store,
    sinceMs,
    untilMs,
    signal: context.signal,
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
      if (!(await store.renewReconcileLease(context.instanceId, context.leaseMs, now())))
        throw new LeaseLostError();
    },
  });
}

/** Records a failed run and when to try again (doubling back-off), and logs it unless the reconciler stopped. */
async function failReconcile(context: RunContext, state: ReconcileState, error: unknown): Promise<'failed'> {
  const { options, now } = context;
  const aborted = context.signal.aborted;
  const failures = state.failures + 1;
  const backoffMs = Math.min(context.maxBackoffMs, options.intervalMs * 2 ** (failures - 1));
  const message = failureMessage(error, aborted);
  // A stopped run is due again at once, so another instance can take over without waiting.
  const nextRunAtMs = aborted ? now() : now() + backoffMs;
  const recorded = await options.store
    .finishReconcile(context.instanceId, { ok: false, error: message, nextRunAtMs }, now())
    .catch(() => false);
  if (!recorded)
    options.logger.warn('reconcile: could not record the failed run; its lease expires by itself');
  if (context.signal.aborted) return 'failed';
  options.onRun?.('failed');
  const api =
    error instanceof PersonaApiError
      ? { code: error.code, status: error.status, requestId: error.requestId }
      : {};
  options.logger[error instanceof PersonaApiAuthError ? 'error' : 'warn'](
    { err: { type: (error as Error)?.name, ...api }, failures, retryInMs: backoffMs },
    `reconcile failed: ${message}`,
  );
  return 'failed';
}

/** What the shared state records as the failure. */
function failureMessage(error: unknown, aborted: boolean): string {
  if (aborted) return 'interrupted by shutdown';
  if (error instanceof LeaseLostError) return 'the lease was taken over by another instance';
  // Our own errors (API, store) name what failed and never quote payload data.
  if (error instanceof PersonaApiError || error instanceof PersonaWebhookError) return error.message;
  return `unexpected ${(error as Error)?.name ?? 'error'}`;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
