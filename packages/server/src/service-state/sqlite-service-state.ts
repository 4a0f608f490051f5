/**
 * The service state on a SQLite file. The connection opens on first use and is closed again after any
 * database failure, so a disk that was missing or a file that was replaced is picked up by the next
 * call without a restart. Every call settles as a promise; a database failure rejects with the
 * library's `StoreUnavailableError`, so HTTP answers 503, as for the event store.
 */
import { StoreUnavailableError } from 'persona-webhooks';
import type { ServiceStateDatabase } from './service-state.js';
import { toServiceStateError } from './sqlite-errors.js';
import { applyServiceSqliteMigrations, serviceSqliteSchemaStatus } from './sqlite-migrate.js';
import { openServiceSqliteConnection, type ServiceSqliteConnection } from './sqlite-service-connection.js';

/**
 * The service state in the SQLite file at `path`; nothing is opened until first use. With `mustExist`,
 * a missing file is an error (503) rather than a new database.
 *
 * @example
 * const state = createSqliteServiceState('./data/persona-webhooks.db');
 * await state.migrate();
 */
export function createSqliteServiceState(
  path: string,
  options: { mustExist?: boolean } = {},
): ServiceStateDatabase {
  let connection: ServiceSqliteConnection | undefined;
  let closed = false;

  const drop = () => {
    try {
      connection?.db.close();
    } catch {
      // Already broken; the failure that brought us here is the one worth reporting.
    }
    connection = undefined;
  };

  const run = <T>(work: (c: ServiceSqliteConnection) => T): Promise<T> => {
    if (closed) return Promise.reject(new StoreUnavailableError('The service state (SQLite) is closed.'));
    try {
      connection ??= openServiceSqliteConnection(path, options.mustExist ?? false);
      return Promise.resolve(work(connection));
    } catch (error) {
      const converted = toServiceStateError(error);
      if (converted instanceof StoreUnavailableError) drop();
      return Promise.reject(converted);
    }
  };

  return {
    schemaStatus: () => run((c) => serviceSqliteSchemaStatus(c.db)),
    migrate: () => run((c) => applyServiceSqliteMigrations(c.db)),
    createAppToken: (token) => run((c) => c.appTokens.create(token)),
    listAppTokens: () => run((c) => c.appTokens.list()),
    findAppToken: (tokenHash) => run((c) => c.appTokens.find(tokenHash)),
    touchAppToken: (id, nowMs) => run((c) => c.appTokens.touch(id, nowMs)),
    revokeAppToken: (id, nowMs) => run((c) => c.appTokens.revoke(id, nowMs)),
    revokeSession: (sessionId, expiresAtMs, nowMs) =>
      run((c) => c.revocations.revoke(sessionId, expiresAtMs, nowMs)),
    isSessionRevoked: (sessionId) => run((c) => c.revocations.isRevoked(sessionId)),
    getReconcileState: () => run((c) => c.reconcile.get()),
    claimReconcile: (owner, leaseMs, nowMs) => run((c) => c.reconcile.claim(owner, leaseMs, nowMs)),
    renewReconcileLease: (owner, leaseMs, nowMs) => run((c) => c.reconcile.renew(owner, leaseMs, nowMs)),
    finishReconcile: (owner, outcome, nowMs) => run((c) => c.reconcile.finish(owner, outcome, nowMs)),
    async close() {
      closed = true;
      drop();
    },
  };
}
