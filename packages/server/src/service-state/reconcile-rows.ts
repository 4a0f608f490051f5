/**
 * The `service_reconcile_state` row as both dialects select it (same column names in SQLite and
 * PostgreSQL), its mapping to `ReconcileState`, and the parameters `finishReconcile` writes (see
 * `reconcile-sql.ts`).
 */
import type { ReconcileRunOutcome, ReconcileState } from './reconcile-state.js';

/** Stored error text stays bounded whatever an API error says (the library keeps its errors as short). */
const MAX_ERROR_CHARS = 2_000;

/** The row as both stores select it, times and counts already numbers. */
export interface ReconcileStateRow {
  checkpoint_ms: number | null;
  next_run_at_ms: number;
  lease_owner: string | null;
  lease_expires_at_ms: number | null;
  last_started_at_ms: number | null;
  last_finished_at_ms: number | null;
  last_result: 'ok' | 'failed' | null;
  last_error: string | null;
  failures: number;
  recovered_total: number;
  last_recovered: number | null;
}

/** A selected row as the `ReconcileState` the service reads. */
export function toReconcileState(row: ReconcileStateRow): ReconcileState {
  return {
    checkpointMs: row.checkpoint_ms,
    nextRunAtMs: row.next_run_at_ms,
    leaseOwner: row.lease_owner,
    leaseExpiresAtMs: row.lease_expires_at_ms,
    lastStartedAtMs: row.last_started_at_ms,
    lastFinishedAtMs: row.last_finished_at_ms,
    lastResult: row.last_result,
    lastError: row.last_error,
    failures: row.failures,
    recoveredTotal: row.recovered_total,
    lastRecovered: row.last_recovered,
  };
}

/** Named parameters of a finish: a success resets the failures, a failure keeps the checkpoint. */
export interface FinishParams {
  owner: string;
  now: number;
  ok: 0 | 1;
  checkpoint: number | null;
  recovered: number;
  error: string | null;
  next: number;
}

/** The parameters of `finish` for one run's outcome. */
export function finishParams(owner: string, outcome: ReconcileRunOutcome, nowMs: number): FinishParams {
  return outcome.ok
    ? {
        owner,
        now: nowMs,
        ok: 1,
        checkpoint: outcome.checkpointMs,
        recovered: outcome.recovered,
        error: null,
        next: outcome.nextRunAtMs,
      }
    : {
        owner,
        now: nowMs,
        ok: 0,
        checkpoint: null,
        recovered: 0,
        error: outcome.error.slice(0, MAX_ERROR_CHARS),
        next: outcome.nextRunAtMs,
      };
}
