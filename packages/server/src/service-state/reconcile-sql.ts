/**
 * The reconciliation state's statements, one text for both stores (SQLite binds the `@name`
 * placeholders as they are; PostgreSQL renders them with `named-params.ts`). The lease is a conditional
 * UPDATE of the single row: whoever's UPDATE matches holds it, and a concurrent one re-checks the
 * condition against the committed row and matches nothing. Arithmetic on parameters is CAST so
 * PostgreSQL knows their type.
 */

/** The columns every statement returns, in `ReconcileStateRow`'s names. */
export const RECONCILE_COLUMNS = `checkpoint_ms, next_run_at_ms, lease_owner, lease_expires_at_ms,
  last_started_at_ms, last_finished_at_ms, last_result, last_error, failures, recovered_total, last_recovered`;

/** The statements for `table` (`service_reconcile_state`, schema-qualified where needed). */
export function reconcileStatements(table: string) {
  return {
    get: `SELECT ${RECONCILE_COLUMNS} FROM ${table} WHERE id = 1`,

    // Due, and nobody else holds an unexpired lease (an expired one is a crashed run: take it over).
    claim: `UPDATE ${table}
SET lease_owner = @owner, lease_expires_at_ms = CAST(@now AS bigint) + CAST(@lease AS bigint),
  last_started_at_ms = @now
WHERE id = 1 AND next_run_at_ms <= @now
  AND (lease_owner IS NULL OR lease_owner = @owner OR lease_expires_at_ms <= @now)
RETURNING ${RECONCILE_COLUMNS}`,

    renew: `UPDATE ${table} SET lease_expires_at_ms = CAST(@now AS bigint) + CAST(@lease AS bigint)
WHERE id = 1 AND lease_owner = @owner`,

    // A success moves the checkpoint (never back) and resets the failures; a failure counts one more.
    finish: `UPDATE ${table} SET
  lease_owner = NULL,
  lease_expires_at_ms = NULL,
  last_finished_at_ms = @now,
  last_result = CASE WHEN @ok = 1 THEN 'ok' ELSE 'failed' END,
  last_error = @error,
  failures = CASE WHEN @ok = 1 THEN 0 ELSE failures + 1 END,
  checkpoint_ms = CASE
    WHEN @ok = 1 AND (checkpoint_ms IS NULL OR checkpoint_ms < @checkpoint) THEN @checkpoint
    ELSE checkpoint_ms END,
  recovered_total = recovered_total + @recovered,
  last_recovered = CASE WHEN @ok = 1 THEN @recovered ELSE last_recovered END,
  next_run_at_ms = @next
WHERE id = 1 AND lease_owner = @owner`,
  };
}

/** Parameters of `claim` and `renew`. */
export interface LeaseParams {
  owner: string;
  now: number;
  lease: number;
}
