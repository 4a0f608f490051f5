/**
 * Joins the library's store and the service state into the one object the service passes around, with
 * the order that makes upgrades safe: the service's migrations run before the library's, because the
 * library's latest migration drops the tables older releases kept for the service, and the service's
 * first migration adopts them.
 */
import type { MigrateOptions, Store } from 'persona-webhooks';
import type { ServiceStateDatabase, ServiceStore } from './service-state.js';

/** Binds every method of `state` (not its lifecycle) onto `store`; `close()` closes both. */
export function withServiceState<S extends Store>(store: S, state: ServiceStateDatabase): S & ServiceStore {
  return {
    ...store,
    createAppToken: (token) => state.createAppToken(token),
    listAppTokens: () => state.listAppTokens(),
    findAppToken: (tokenHash) => state.findAppToken(tokenHash),
    touchAppToken: (id, nowMs) => state.touchAppToken(id, nowMs),
    revokeAppToken: (id, nowMs) => state.revokeAppToken(id, nowMs),
    revokeSession: (sessionId, expiresAtMs, nowMs) => state.revokeSession(sessionId, expiresAtMs, nowMs),
    isSessionRevoked: (sessionId) => state.isSessionRevoked(sessionId),
    getReconcileState: () => state.getReconcileState(),
    claimReconcile: (owner, leaseMs, nowMs) => state.claimReconcile(owner, leaseMs, nowMs),
    renewReconcileLease: (owner, leaseMs, nowMs) => state.renewReconcileLease(owner, leaseMs, nowMs),
    finishReconcile: (owner, outcome, nowMs) => state.finishReconcile(owner, outcome, nowMs),
    async migrate(options?: MigrateOptions) {
      await state.migrate();
      await store.migrate(options);
    },
    async close() {
      try {
        await store.close();
      } finally {
        await state.close();
      }
    },
  };
}
