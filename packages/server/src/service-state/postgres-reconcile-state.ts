/**
 * The reconciliation checkpoint and lease on PostgreSQL: the shared statements (`reconcile-sql.ts`)
 * rendered for `$n` parameters, each one autocommitted UPDATE of the single row. Under READ COMMITTED
 * a concurrent claim waits for the first one's commit, re-checks its WHERE against the new row and
 * matches nothing, so exactly one instance holds the lease.
 */
import type pg from 'pg';
import { positional } from './named-params.js';
import { int, intOrNull, textOrNull } from './postgres-rows.js';
import {
  type FinishParams,
  finishParams,
  type ReconcileStateRow,
  toReconcileState,
} from './reconcile-rows.js';
import { type LeaseParams, reconcileStatements } from './reconcile-sql.js';
import type { ReconcileStateStore } from './reconcile-state.js';

function stateRow(row: Record<string, unknown>): ReconcileStateRow {
  const result = textOrNull(row['last_result']);
  return {
    checkpoint_ms: intOrNull(row['checkpoint_ms']),
    next_run_at_ms: int(row['next_run_at_ms']),
    lease_owner: textOrNull(row['lease_owner']),
    lease_expires_at_ms: intOrNull(row['lease_expires_at_ms']),
    last_started_at_ms: intOrNull(row['last_started_at_ms']),
    last_finished_at_ms: intOrNull(row['last_finished_at_ms']),
    // The column's CHECK allows only these two.
    last_result: result === 'ok' || result === 'failed' ? result : null,
    last_error: textOrNull(row['last_error']),
    failures: int(row['failures']),
    recovered_total: int(row['recovered_total']),
    last_recovered: intOrNull(row['last_recovered']),
  };
}

/** The reconciliation state operations over `pool`, on the (schema-qualified) `table`. */
export function createPostgresReconcileState(pool: pg.Pool, table: string): ReconcileStateStore {
  const sql = reconcileStatements(table);
  const claim = positional<LeaseParams>(sql.claim);
  const renew = positional<LeaseParams>(sql.renew);
  const finish = positional<FinishParams>(sql.finish);

  return {
    async getReconcileState() {
      const [row] = (await pool.query(sql.get)).rows;
      if (!row) throw new TypeError(`PostgreSQL has no ${table} row: run migrate().`);
      return toReconcileState(stateRow(row));
    },
    async claimReconcile(owner, leaseMs, nowMs) {
      const [row] = (await pool.query(claim.text, claim.values({ owner, lease: leaseMs, now: nowMs }))).rows;
      return row ? toReconcileState(stateRow(row)) : null;
    },
    async renewReconcileLease(owner, leaseMs, nowMs) {
      const result = await pool.query(renew.text, renew.values({ owner, lease: leaseMs, now: nowMs }));
      return (result.rowCount ?? 0) > 0;
    },
    async finishReconcile(owner, outcome, nowMs) {
      const result = await pool.query(finish.text, finish.values(finishParams(owner, outcome, nowMs)));
      return (result.rowCount ?? 0) > 0;
    },
  };
}
