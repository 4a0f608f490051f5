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
 * The reconciliation checkpoint and lease, in the store so that instances sharing a database share
 * them: one instance reconciles at a time, and the schedule and back-off hold for all of them.
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

/**
 * Dashboard sign-outs, in the store so that a signed-out session stays refused after a restart and on
 * every instance sharing the database. Only ids are stored, never a cookie or its signature.
 */
export interface SessionRevocationStore {
  /**
   * Records that session `sessionId` was signed out; the record is kept until `expiresAtMs`, the
   * session's own expiry. Also deletes the records that have expired by `nowMs`.
   */
  revokeSession(sessionId: string, expiresAtMs: number, nowMs: number): Promise<void>;
  /** Whether session `sessionId` was signed out (and has not expired since: then its record may be gone). */
  isSessionRevoked(sessionId: string): Promise<boolean>;
}

/**
 * A read-only API token of one of the customer's applications, as stored and listed. The token itself
 * is never stored: only its SHA-256 (`tokenHash`), which is how a request's token is looked up.
 */
export interface AppToken {
  /** `apt_…`: how the CLI names it (to revoke it); not secret. */
  id: string;
  /** The label it was created with, e.g. the application's name. */
  name: string;
  createdAtMs: number;
  /** When it last authenticated a request (kept to about a minute); null when never used. */
  lastUsedAtMs: number | null;
  /** Null while the token is valid. */
  revokedAtMs: number | null;
}

/** A token to store: its id, label and the hex SHA-256 of the token. */
export interface NewAppToken {
  id: string;
  name: string;
  tokenHash: string;
  createdAtMs: number;
}

/** What `revokeAppToken` did. */
export type RevokeAppTokenOutcome = 'revoked' | 'not_found' | 'already_revoked';

/** Applications' read-only API tokens, in the store so every instance sees a revocation at once. */
export interface AppTokenStore {
  /** Stores a new token (its hash only). */
  createAppToken(token: NewAppToken): Promise<void>;
  /** Every token, revoked ones included, oldest first. */
  listAppTokens(): Promise<AppToken[]>;
  /** The token with this hex SHA-256, revoked or not; null when there is none. */
  findAppToken(tokenHash: string): Promise<AppToken | null>;
  /** Records a use at `nowMs` (never moves `lastUsedAtMs` back). */
  touchAppToken(id: string, nowMs: number): Promise<void>;
  /** Revokes a token for good. */
  revokeAppToken(id: string, nowMs: number): Promise<RevokeAppTokenOutcome>;
}

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
    StoreLifecycle,
    ReconcileStateStore,
    SessionRevocationStore,
    AppTokenStore {}

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
