/**
 * The reconciliation checkpoint and lease: service state (reconciliation through Persona's Events API
 * is the service's feature), kept in the same database as the events so instances share it.
 */

/** The reconciliation state every instance shares (one row). */
export interface ReconcileState {
  /**
   * Every event created before this instant has been looked for in Persona's Events API (each run also
   * re-checks an overlap before it). Null until the first successful run.
   */
  checkpointMs: number | null;
  /** When the next run is due, for whichever instance comes first. */
  nextRunAtMs: number;
  /** The instance running now, and until when its lease holds. */
  leaseOwner: string | null;
  leaseExpiresAtMs: number | null;
  lastStartedAtMs: number | null;
  lastFinishedAtMs: number | null;
  lastResult: 'ok' | 'failed' | null;
  /** The last failed run's error (no payload data: API errors name method, path, status and Request-Id). */
  lastError: string | null;
  /** Failed runs in a row: the back-off grows with it. */
  failures: number;
  /** Events recovered by reconciliation, all runs together. */
  recoveredTotal: number;
  /** Events the last successful run recovered. */
  lastRecovered: number | null;
}

/** How a run ended, as `finishReconcile` records it. */
export type ReconcileRunOutcome =
  | { ok: true; checkpointMs: number; recovered: number; nextRunAtMs: number }
  | { ok: false; error: string; nextRunAtMs: number };

/**
 * The reconciliation checkpoint and lease, in the database so that instances sharing it share them:
 * one instance reconciles at a time, and the schedule and back-off hold for all of them.
 */
export interface ReconcileStateStore {
  getReconcileState(): Promise<ReconcileState>;
  /**
   * Takes the lease if a run is due (`nextRunAtMs <= nowMs`) and no other instance holds an unexpired
   * lease; returns the state as it was taken (with the checkpoint to start from), or null.
   */
  claimReconcile(owner: string, leaseMs: number, nowMs: number): Promise<ReconcileState | null>;
  /** Extends the lease during a long run; false when another instance has taken it. */
  renewReconcileLease(owner: string, leaseMs: number, nowMs: number): Promise<boolean>;
  /**
   * Records the run and releases the lease; the checkpoint never moves back. False (nothing written)
   * when the lease is no longer `owner`'s.
   */
  finishReconcile(owner: string, outcome: ReconcileRunOutcome, nowMs: number): Promise<boolean>;
}
