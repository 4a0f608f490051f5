/**
 * The service state on PostgreSQL, on the pool the service already opened for the library's store and
 * in the same schema (default `persona_webhooks`), so one database and one backup hold everything.
 * Each operation is one autocommitted statement; a database failure rejects with the library's
 * `StoreUnavailableError` (503). The pool is not ours to end: `close()` only refuses later calls.
 */

import { StoreUnavailableError } from 'persona-webhooks';
import type pg from 'pg';
import { createPostgresAppTokens } from './postgres-app-tokens.js';
import { toServiceStateError } from './postgres-errors.js';
import { applyServicePostgresMigrations, servicePostgresSchemaStatus } from './postgres-migrate.js';
import { createPostgresReconcileState } from './postgres-reconcile-state.js';
import { createPostgresSessionRevocations } from './postgres-session-revocations.js';
import type { ServiceState, ServiceStateDatabase } from './service-state.js';
import { SERVICE_TABLES } from './table-names.js';

/** The schema names the library accepts; checked here too because they are spliced into SQL. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * The service state in `schema` over `pool`.
 *
 * @example
 * const state = createPostgresServiceState(pool, 'persona_webhooks');
 * await state.migrate();
 */
export function createPostgresServiceState(pool: pg.Pool, schema: string): ServiceStateDatabase {
  if (!SCHEMA_NAME.test(schema)) throw new TypeError(`Invalid PostgreSQL schema name: ${schema}`);
  const quoted = `"${schema}"`;
  const state: ServiceState = {
    ...createPostgresAppTokens(pool, `${quoted}.${SERVICE_TABLES.appTokens}`),
    ...createPostgresSessionRevocations(pool, `${quoted}.${SERVICE_TABLES.sessionRevocations}`),
    ...createPostgresReconcileState(pool, `${quoted}.${SERVICE_TABLES.reconcile}`),
  };
  let closed = false;
  // Every call refuses once closed and turns database failures into StoreUnavailableError (503).
  const guard =
    <A extends unknown[], R>(work: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (closed) throw new StoreUnavailableError('The service state (PostgreSQL) is closed.');
      try {
        return await work(...args);
      } catch (error) {
        throw toServiceStateError(error);
      }
    };
  const guarded = Object.fromEntries(
    Object.entries(state).map(([name, method]) => [name, guard(method)]),
  ) as unknown as ServiceState;
  return {
    ...guarded,
    schemaStatus: guard(() => servicePostgresSchemaStatus(pool, quoted)),
    migrate: guard(() => applyServicePostgresMigrations(pool, schema, quoted)),
    async close() {
      closed = true;
    },
  };
}
