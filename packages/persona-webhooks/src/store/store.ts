/**
 * The one store: the roles its consumers take (inbox, work queue, read model, outbox), each defined
 * beside the code that implements it, joined here with the store's lifecycle. SQLite (embedded
 * default) and PostgreSQL (scale-out) implement it; each role's folder holds both dialects' parts, and
 * `sqlite/` and `postgres/` hold only what is per connection.
 *
 * Every method may reject with `StoreUnavailableError` (from `src/errors.ts`) when the database cannot
 * answer (locked, disk full, closed, connection lost).
 */
import type { OutboxStore } from '../outbox/outbox-types.js';
import type { MigrateOptions } from './decisions/kyc-rebuild.js';
import type { InboxWriter } from './inbox/inbox.js';
import type { SchemaStatus } from './migration-plan.js';
import type { QueueControls, WorkQueue } from './queue/work-queue.js';
import type { ReadModel } from './read-model/read-model.js';

export type { MigrateOptions, RebuildProgress } from './decisions/kyc-rebuild.js';
export type { SchemaStatus } from './migration-plan.js';

/**
 * The full store: each role (inbox, work queue, read model, outbox) plus its lifecycle. A consumer
 * takes the roles it uses — the pipeline an `InboxWriter`, the worker a `WorkQueue` — so a test double
 * or another store implements only those.
 */
export interface Store
  extends InboxWriter,
    WorkQueue,
    QueueControls,
    ReadModel,
    OutboxStore,
    StoreLifecycle {}

/** Opening, migrating, probing and closing a store. */
export interface StoreLifecycle {
  /**
   * Where the schema stands, without migrating or creating anything: `applied` 0 means never migrated.
   * Lets read-only tools refuse to run on a missing, old or newer schema.
   */
  schemaStatus(): Promise<SchemaStatus>;
  /**
   * Applies this release's migrations (running it again changes nothing), then finishes any pending
   * rebuild of KYC facts from stored events; rejects with `SchemaTooNewError` on a schema a newer
   * release wrote.
   */
  migrate(options?: MigrateOptions): Promise<void>;
  /** Resolves when the database answers a trivial query; `/readyz` uses it. */
  ping(): Promise<void>;
  /** Waits for in-flight writes, then closes. Later calls reject with `StoreUnavailableError`. */
  close(): Promise<void>;
}
