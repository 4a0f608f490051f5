/**
 * The reconciliation checkpoint and lease in SQLite: the shared statements (`reconcile-sql.ts`) on one
 * row, the claim and the finish in IMMEDIATE transactions, so two processes on one file can never both
 * hold the lease.
 */
import type Database from 'better-sqlite3';
import {
  type FinishParams,
  finishParams,
  type ReconcileStateRow,
  toReconcileState,
} from './reconcile-rows.js';
import { type LeaseParams, reconcileStatements } from './reconcile-sql.js';
import type { ReconcileRunOutcome, ReconcileState } from './reconcile-state.js';
import type { PrepareCached } from './sqlite-statements.js';
import { SERVICE_TABLES } from './table-names.js';

const SQL = reconcileStatements(SERVICE_TABLES.reconcile);

/** Reconciliation state operations bound to one connection; each runs in its own transaction. */
export interface SqliteReconcileState {
  get(): ReconcileState;
  claim(owner: string, leaseMs: number, nowMs: number): ReconcileState | null;
  renew(owner: string, leaseMs: number, nowMs: number): boolean;
  finish(owner: string, outcome: ReconcileRunOutcome, nowMs: number): boolean;
}

/** Binds the reconciliation state operations to one connection (statements prepared on first use). */
export function createSqliteReconcileState(
  db: Database.Database,
  prepare: PrepareCached,
): SqliteReconcileState {
  const claim = db.transaction((params: LeaseParams) => {
    const row = prepare(SQL.claim).get(params) as ReconcileStateRow | undefined;
    return row ? toReconcileState(row) : null;
  });
  const finish = db.transaction((params: FinishParams) => prepare(SQL.finish).run(params).changes > 0);
  return {
    get: () => toReconcileState(prepare(SQL.get).get() as ReconcileStateRow),
    claim: (owner, leaseMs, nowMs) => claim.immediate({ owner, lease: leaseMs, now: nowMs }),
    renew: (owner, leaseMs, nowMs) =>
      prepare(SQL.renew).run({ owner, lease: leaseMs, now: nowMs }).changes > 0,
    finish: (owner, outcome, nowMs) => finish.immediate(finishParams(owner, outcome, nowMs)),
  };
}
