/** `GET /api/reconcile`: whether reconciliation runs, its last run, checkpoint, schedule and totals. */
import type { ReconcileStatus } from '../../reconcile/reconcile-service.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function reconcileJson(status: ReconcileStatus, nowMs: number) {
  const state = await status.state();
  return {
    enabled: status.enabled,
    offReason: status.offReason,
    intervalSeconds: status.intervalMs === null ? null : status.intervalMs / 1000,
    running: state?.leaseOwner != null && (state.leaseExpiresAtMs ?? 0) > nowMs,
    lastRun: state
      ? {
          startedAt: iso(state.lastStartedAtMs),
          finishedAt: iso(state.lastFinishedAtMs),
          result: state.lastResult,
          error: state.lastError,
          recovered: state.lastRecovered,
        }
      : null,
    checkpoint: iso(state?.checkpointMs ?? null),
    nextRunAt: state && status.enabled ? iso(state.nextRunAtMs) : null,
    failuresInARow: state?.failures ?? 0,
    recoveredTotal: state?.recoveredTotal ?? 0,
  };
}
