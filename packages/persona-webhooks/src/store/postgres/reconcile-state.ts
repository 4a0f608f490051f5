/**
 * The reconciliation checkpoint and lease on PostgreSQL: the shared statements (`../reconcile-sql.ts`)
 * rendered for `$n` parameters, each one autocommitted UPDATE of the single row. Under READ COMMITTED
 * a concurrent claim waits for the first one's commit, re-checks its WHERE against the new row and
 * matches nothing, so exactly one instance holds the lease.
 */
import { positional } from '../named-params.js';
import {
  type FinishParams,
  finishParams,
  type ReconcileStateRow,
  toReconcileState,
} from '../reconcile-rows.js';
import { type LeaseParams, reconcileStatements } from '../reconcile-sql.js';
import type { ReconcileRunOutcome, ReconcileState } from '../store.js';
import type { Connections } from './connections.js';
import { type RowValues, rowValues } from './row-values.js';
import type { Tables } from './tables.js';

/** Reconciliation state operations over one pool. */
export interface PostgresReconcileState {
  get(): Promise<ReconcileState>;
  claim(owner: string, leaseMs: number, nowMs: number): Promise<ReconcileState | null>;
  renew(owner: string, leaseMs: number, nowMs: number): Promise<boolean>;
  finish(owner: string, outcome: ReconcileRunOutcome, nowMs: number): Promise<boolean>;
}

const RESULTS = ['ok', 'failed'] as const;

function stateRow(row: RowValues): ReconcileStateRow {
  return {
    checkpoint_ms: row.intOrNull('checkpoint_ms'),
    next_run_at_ms: row.int('next_run_at_ms'),
    lease_owner: row.textOrNull('lease_owner'),
    lease_expires_at_ms: row.intOrNull('lease_expires_at_ms'),
    last_started_at_ms: row.intOrNull('last_started_at_ms'),
    last_finished_at_ms: row.intOrNull('last_finished_at_ms'),
    last_result: row.textOrNull('last_result') === null ? null : row.oneOf('last_result', RESULTS),
    last_error: row.textOrNull('last_error'),
    failures: row.int('failures'),
    recovered_total: row.int('recovered_total'),
    last_recovered: row.intOrNull('last_recovered'),
  };
}

export function createPostgresReconcileState(connections: Connections, t: Tables): PostgresReconcileState {
  const sql = reconcileStatements(t.reconcile);
  const claim = positional<LeaseParams>(sql.claim);
  const renew = positional<LeaseParams>(sql.renew);
  const finish = positional<FinishParams>(sql.finish);
  const query = (text: string, values: unknown[] = []) =>
    connections.use((client) => client.query(text, values));

  return {
    async get() {
      const [row] = rowValues((await query(sql.get)).rows);
      if (!row) throw new TypeError('PostgreSQL has no reconcile_state row: run migrate().');
      return toReconcileState(stateRow(row));
    },
    async claim(owner, leaseMs, nowMs) {
      const [row] = rowValues(
        (await query(claim.text, claim.values({ owner, lease: leaseMs, now: nowMs }))).rows,
      );
      return row ? toReconcileState(stateRow(row)) : null;
    },
    async renew(owner, leaseMs, nowMs) {
      return (
        ((await query(renew.text, renew.values({ owner, lease: leaseMs, now: nowMs }))).rowCount ?? 0) > 0
      );
    },
    async finish(owner, outcome, nowMs) {
      return (
        ((await query(finish.text, finish.values(finishParams(owner, outcome, nowMs)))).rowCount ?? 0) > 0
      );
    },
  };
}
