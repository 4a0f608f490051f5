/**
 * The few members of a PostgreSQL driver the store uses, described structurally (kysely's way) so the
 * library depends on no driver and needs no driver types to compile. A `pg` (node-postgres 8.x)
 * `Pool` satisfies it as is: pass `new pg.Pool({ connectionString })`.
 *
 * Nothing here assumes the pool's type parsers: int8 and `count(*)` may arrive as strings (pg's
 * default), numbers or bigints, and the store converts them itself (`row-values.ts`).
 */

/** What one statement returned. `rows` are plain objects keyed by column name. */
export interface PostgresQueryResult {
  rows: unknown[];
  /** Rows inserted, updated, deleted or selected; null for statements that report none. */
  rowCount: number | null;
}

/** Anything that runs one SQL text with `$1…$n` parameters: the pool, or a checked-out client. */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
}

/** A `NOTIFY` delivered to a client that is `LISTEN`ing. */
export interface PostgresNotification {
  channel: string;
  payload?: string | undefined;
}

/**
 * A connection checked out of the pool (pg's `PoolClient`). While checked out, pg forwards none of
 * its errors to the pool, so whoever holds it must listen for `error` or a dropped connection
 * crashes the process.
 */
export interface PostgresPoolClient extends PostgresQueryable {
  /**
   * Returns the connection to the pool. Passing `true` or an `Error` destroys it instead: for a
   * connection that broke, or one whose state is unknown (a query still running past a deadline).
   */
  release(destroy?: boolean | Error): void;
  on(event: 'notification', listener: (message: PostgresNotification) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'notification', listener: (message: PostgresNotification) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * A connection pool (pg's `Pool`). The store never ends it: the code that created the pool owns it,
 * listens for its `error` event (pg emits idle connections' errors there, and an `error` event with
 * no listener crashes the process) and calls `pool.end()` after `store.close()`.
 */
export interface PostgresPool extends PostgresQueryable {
  connect(): Promise<PostgresPoolClient>;
}
