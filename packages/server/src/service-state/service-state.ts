/**
 * The service's own state beside the library's event store: app tokens, dashboard sign-outs and the
 * reconciliation state. It lives in the same database (SQLite file or PostgreSQL schema) so a backup
 * or a second instance carries it along, but in tables and migrations of its own, so a library user
 * never gets tables they did not ask for.
 */
import type { SchemaStatus, Store } from 'persona-webhooks';
import type { AppTokenStore } from './app-tokens.js';
import type { ReconcileStateStore } from './reconcile-state.js';
import type { SessionRevocationStore } from './session-revocations.js';

/** Everything the service keeps besides events: same method names and meaning as the store had them. */
export interface ServiceState extends AppTokenStore, SessionRevocationStore, ReconcileStateStore {}

/**
 * One dialect's service state with its lifecycle. Every method may reject with the library's
 * `StoreUnavailableError` when the database cannot answer, so HTTP answers 503.
 */
export interface ServiceStateDatabase extends ServiceState {
  /** Where the service's own migrations stand (`service_schema_migrations`); writes nothing. */
  schemaStatus(): Promise<SchemaStatus>;
  /**
   * Applies the service's migrations under a lock; the first adopts the tables older releases kept in
   * the library's schema. Must run before the library store's `migrate()`, whose next version drops them.
   */
  migrate(): Promise<number[]>;
  /** Closes what it opened itself (a SQLite connection; nothing on PostgreSQL, whose pool is shared). */
  close(): Promise<void>;
}

/** What `openStore` returns: the library's store and the service's state, closed together. */
export type ServiceStore = Store & ServiceState;
