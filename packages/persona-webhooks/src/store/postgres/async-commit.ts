/**
 * The worker's transactions on PostgreSQL commit without waiting for the WAL flush: a crash can only
 * lose a completion, so the event runs again (exactly-once holds through the lease token and the
 * idempotent projection). Ingest never uses these: it is durable before Persona's 2xx.
 */

/**
 * `SET LOCAL synchronous_commit = off` as an expression, for single autocommit statements: evaluated
 * during the statement, it holds for that statement's implicit transaction, whose commit comes after.
 */
export const ASYNC_COMMIT = "set_config('synchronous_commit', 'off', true)";

/** One simple query (no parameters), so opening the worker's transaction costs one round trip. */
export const BEGIN_ASYNC_COMMIT = 'BEGIN; SET LOCAL synchronous_commit = off';
