/**
 * The `reconcile_state` row as both stores select it (same column names in SQLite and PostgreSQL), its
 * mapping to `ReconcileState`, and the parameters `finishReconcile` writes, so the two dialects differ
 * only in their SQL.
 */
import { truncateError } from './inbox-rows.js';
import type { ReconcileRunOutcome, ReconcileState } from './store.js';

export interface ReconcileStateRow {
  checkpoint_ms: number | string | null;
  next_run_at_ms: number | string;
  lease_owner: string | null;
  lease_expires_at_ms: number | string | null;
  last_started_at_ms: number | string | null;
  last_finished_at_ms: number | string | null;
  last_result: 'ok' | 'failed' | null;
  last_error: string | null;
  failures: number;
  recovered_total: number | string;
  last_recovered: number | null;
}

// PostgreSQL drivers return bigint columns as strings; these times and counts fit a double exactly.
const num = (value: number | string) => Number(value);
const numOrNull = (value: number | string | null) => (value === null ? null : Number(value));

export function toReconcileState(row: ReconcileStateRow): ReconcileState {
  return {
    checkpointMs: numOrNull(row.checkpoint_ms),
    nextRunAtMs: num(row.next_run_at_ms),
    leaseOwner: row.lease_owner,
    leaseExpiresAtMs: numOrNull(row.lease_expires_at_ms),
    lastStartedAtMs: numOrNull(row.last_started_at_ms),
    lastFinishedAtMs: numOrNull(row.last_finished_at_ms),
    lastResult: row.last_result,
    lastError: row.last_error,
    failures: row.failures,
    recoveredTotal: num(row.recovered_total),
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
        error: truncateError(outcome.error),
        next: outcome.nextRunAtMs,
      };
}
