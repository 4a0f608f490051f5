/**
 * The reconciliation checkpoint and lease in SQLite: one row, changed only by conditional UPDATEs in
 * IMMEDIATE transactions, so two processes on one file can never both hold the lease.
 */
import {
  type FinishParams,
  finishParams,
  type ReconcileStateRow,
  toReconcileState,
} from '../reconcile-rows.js';
import type { ReconcileRunOutcome, ReconcileState } from '../store.js';
import type { SqliteDatabase } from './driver.js';
import type { PrepareCached } from './statement-cache.js';

const COLUMNS = `checkpoint_ms, next_run_at_ms, lease_owner, lease_expires_at_ms, last_started_at_ms,
  last_finished_at_ms, last_result, last_error, failures, recovered_total, last_recovered`;

const GET_SQL = `SELECT ${COLUMNS} FROM reconcile_state WHERE id = 1`;

// Due, and nobody else holds an unexpired lease (an expired one is a crashed run: take it over).
const CLAIM_SQL = `UPDATE reconcile_state
SET lease_owner = @owner, lease_expires_at_ms = @now + @lease, last_started_at_ms = @now
WHERE id = 1 AND next_run_at_ms <= @now
  AND (lease_owner IS NULL OR lease_owner = @owner OR lease_expires_at_ms <= @now)
RETURNING ${COLUMNS}`;

const RENEW_SQL = `UPDATE reconcile_state SET lease_expires_at_ms = @now + @lease
WHERE id = 1 AND lease_owner = @owner`;

const FINISH_SQL = `UPDATE reconcile_state SET
  lease_owner = NULL,
  lease_expires_at_ms = NULL,
  last_finished_at_ms = @now,
  last_result = CASE WHEN @ok = 1 THEN 'ok' ELSE 'failed' END,
  last_error = @error,
  failures = CASE WHEN @ok = 1 THEN 0 ELSE failures + 1 END,
  checkpoint_ms = CASE WHEN @ok = 1 THEN max(coalesce(checkpoint_ms, @checkpoint), @checkpoint) ELSE checkpoint_ms END,
  recovered_total = recovered_total + @recovered,
  last_recovered = CASE WHEN @ok = 1 THEN @recovered ELSE last_recovered END,
  next_run_at_ms = @next
WHERE id = 1 AND lease_owner = @owner`;

/** Reconciliation state operations bound to one connection; each runs in its own transaction. */
export interface SqliteReconcileState {
  get(): ReconcileState;
  claim(owner: string, leaseMs: number, nowMs: number): ReconcileState | null;
  renew(owner: string, leaseMs: number, nowMs: number): boolean;
  finish(owner: string, outcome: ReconcileRunOutcome, nowMs: number): boolean;
}

export function createSqliteReconcileState(db: SqliteDatabase, prepare: PrepareCached): SqliteReconcileState {
  const claim = db.transaction((params: { owner: string; lease: number; now: number }) => {
    const row = prepare(CLAIM_SQL).get(params) as ReconcileStateRow | undefined;
    return row ? toReconcileState(row) : null;
  });
  const finish = db.transaction((params: FinishParams) => prepare(FINISH_SQL).run(params).changes > 0);
  return {
    get: () => toReconcileState(prepare(GET_SQL).get() as ReconcileStateRow),
    claim: (owner, leaseMs, nowMs) => claim.immediate({ owner, lease: leaseMs, now: nowMs }),
    renew: (owner, leaseMs, nowMs) =>
      prepare(RENEW_SQL).run({ owner, lease: leaseMs, now: nowMs }).changes > 0,
    finish: (owner, outcome, nowMs) => finish.immediate(finishParams(owner, outcome, nowMs)),
  };
}
