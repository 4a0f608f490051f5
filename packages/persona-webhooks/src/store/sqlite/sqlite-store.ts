/**
 * The embedded default store: one SQLite file, one connection, durable before every acknowledgement.
 * better-sqlite3 is synchronous, so each method runs its transaction to completion and settles a
 * promise. Ingests are group-committed (see `../group-commit.ts`) to share one fsync per batch; the
 * worker's completes and the delivery worker's outcomes are grouped the same way, and their
 * transactions skip the fsync unless told otherwise (see `worker-synchronous.ts`).
 *
 * The file is opened on first use, not in the constructor, and opened again on the next call if that
 * failed: an unopenable file (read-only directory, missing mount) makes calls reject with
 * `StoreUnavailableError` (so webhooks get a 503 and Persona retries) instead of throwing from a
 * constructor, and the store recovers by itself once the file is reachable.
 */
import { EventRejectedError, StoreUnavailableError } from '../../errors.js';
import { checkedKycPolicy } from '../../kyc/checked-policy.js';
import type { KycPolicy } from '../../kyc/decision.js';
import { defaultKycPolicy } from '../../kyc/default-policy.js';
import type { DecisionChange } from '../../outbox/decision-changed.js';
import type { OutboxStore } from '../../outbox/outbox-types.js';
import { rebuildSqliteKycFacts, redecideSqliteUsers } from '../decisions/sqlite-kyc-rebuild.js';
import { GroupCommit } from '../group-commit.js';
import type { IngestOutcome } from '../inbox/inbox.js';
import { type EventRow, eventRow, quarantineRow } from '../inbox/inbox-rows.js';
import { ListenerSet } from '../listener-set.js';
import type { SqliteDecisionHook } from '../outbox/sqlite-outbox.js';
import type { FinishRequest } from '../outbox/sqlite-outbox-claims.js';
import type { CompleteRequest, CompleteResult } from '../queue/sqlite-work-queue.js';
import type { QueueControls, WorkQueue } from '../queue/work-queue.js';
import type { ReadModel } from '../read-model/read-model.js';
import type { Store, StoreLifecycle } from '../store.js';
import { finishGroupCommit } from './delivery-finishes.js';
import type { SqliteDatabase, SqliteDatabaseSource } from './driver.js';
import { SqliteAccess } from './sqlite-access.js';
import type { SqliteConnection } from './sqlite-connection.js';
import type { PrepareCached } from './statement-cache.js';
import { isDatabaseUnavailable, settle, toStoreError } from './store-error.js';
import type { WorkerSynchronous } from './worker-synchronous.js';

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * The connection: `new Database(path)` from better-sqlite3, or a function returning one. With a
   * function the file is opened on first use and opened again on the next call after a failed open,
   * so a store whose disk was missing recovers by itself.
   */
  database: SqliteDatabaseSource;
  /** How long a write waits for another process's lock before failing with SQLITE_BUSY (`PRAGMA busy_timeout`). Default 5,000. */
  busyTimeoutMs?: number;
  /** Most ingests committed in one transaction. Default 256; 1 disables group commit. */
  batchMaxSize?: number;
  /** Most worker completes (and, apart, delivery outcomes) committed in one transaction. Default 256; 1 disables grouping. */
  completeBatchMaxSize?: number;
  /**
   * Sync level of the worker's claim/complete/fail transactions. Default `normal`: no fsync per
   * commit, safe because a power cut can only make events run again (see `worker-synchronous.ts`).
   * Ingest is always `full`.
   */
  workerSynchronous?: WorkerSynchronous;
  /**
   * Decides each user's KYC status from their facts, in the transaction that completes an event.
   * Default {@link defaultKycPolicy}. Must be pure and deterministic.
   */
  kycPolicy?: KycPolicy;
  /**
   * Called inside the transaction of every decision change, with the connection it runs on: write
   * your own rows there and they commit (or roll back) with the decision. Must be synchronous.
   */
  onDecisionChanged?: SqliteDecisionHook;
}

/** Group-commit figures since the store was created. */
export interface SqliteWriteStats {
  /** Ingest transactions committed or attempted. */
  batches: number;
  /** Ingests and quarantines submitted through them (stored or duplicate). */
  writes: number;
  /** Worker complete transactions committed or attempted. */
  completeBatches: number;
  /** Completes submitted through them. */
  completes: number;
  /** Delivery outcome transactions committed or attempted. */
  finishBatches: number;
}

/** The SQLite store, plus figures the Store interface does not need. */
export interface SqliteStore extends Store {
  /** Group-commit figures: with concurrent ingests, `batches` stays far below `writes`. */
  writeStats(): SqliteWriteStats;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
const DEFAULT_BATCH_MAX_SIZE = 256;

/**
 * Creates the SQLite store (synchronously; nothing is opened until `migrate()` or another call).
 *
 * @example
 * import Database from 'better-sqlite3';
 * const store = createSqliteStore({ database: () => new Database('./data/persona-webhooks.db') });
 * await store.migrate();
 * const outcome = await store.ingest(event); // 'stored' once it is on disk, 'duplicate' on a redelivery
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const parts = createParts(options);
  const { calls, inbox, completions } = parts;
  const submit = (row: EventRow): Promise<IngestOutcome> =>
    calls.closed ? calls.rejectClosed() : inbox.submit(row);
  return {
    ...lifecycleMethods(parts),
    ingest: (event) => submit(eventRow(event)),
    quarantine: (body) => submit(quarantineRow(body)),
    ...queueMethods(parts),
    ...readModelMethods(parts),
    ...outboxMethods(parts),
    writeStats: () => ({
      batches: inbox.batches,
      writes: parts.stats.writes,
      completeBatches: completions.batches,
      completes: parts.stats.completes,
      finishBatches: parts.finishes.batches,
    }),
  };
}

/** What the store is made of: its connection, the two group commits, and how calls into them run. */
interface Parts {
  access: SqliteAccess;
  policy: KycPolicy;
  listeners: ListenerSet;
  deliveryListeners: ListenerSet;
  inbox: GroupCommit<EventRow, IngestOutcome>;
  completions: GroupCommit<CompleteRequest, CompleteResult>;
  finishes: GroupCommit<FinishRequest, boolean>;
  stats: { writes: number; completes: number };
  calls: Calls;
}

function createParts(options: SqliteStoreOptions): Parts {
  const workerSynchronous = options.workerSynchronous ?? 'normal';
  if (workerSynchronous !== 'normal' && workerSynchronous !== 'full') {
    throw new TypeError("workerSynchronous must be 'normal' or 'full'");
  }
  // A custom policy that throws or returns garbage decides needs_review instead of failing the event forever.
  const policy = options.kycPolicy ? checkedKycPolicy(options.kycPolicy) : defaultKycPolicy;
  const access = new SqliteAccess({
    database: options.database,
    busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
    workerSynchronous,
    policy,
    onDecisionChanged: options.onDecisionChanged,
  });
  const listeners = new ListenerSet();
  const deliveryListeners = new ListenerSet();
  const stats = { writes: 0, completes: 0 };
  const batchSize = (name: string, value: number | undefined) =>
    positiveInt(name, value ?? DEFAULT_BATCH_MAX_SIZE);
  return {
    access,
    policy,
    listeners,
    deliveryListeners,
    inbox: ingestGroupCommit(access, batchSize('batchMaxSize', options.batchMaxSize), stats, listeners),
    completions: completeGroupCommit(
      access,
      batchSize('completeBatchMaxSize', options.completeBatchMaxSize),
      stats,
      deliveryListeners,
    ),
    finishes: finishGroupCommit(access, batchSize('completeBatchMaxSize', options.completeBatchMaxSize)),
    stats,
    calls: new Calls(access),
  };
}

/** Ingests: committed on the event loop, acknowledged once their WAL sync (off the loop) is done. */
function ingestGroupCommit(
  access: SqliteAccess,
  maxBatchSize: number,
  stats: Parts['stats'],
  listeners: ListenerSet,
): GroupCommit<EventRow, IngestOutcome> {
  const ingestBatch = async (rows: readonly EventRow[]): Promise<IngestOutcome[]> => {
    const bytes = bodyBytes(rows);
    const [outcomes, durable] = access.write(bytes, (c) => [c.insertBatch(rows), c.durable()] as const);
    try {
      await durable;
    } catch (error) {
      access.writeFailed(bytes, error);
      throw error;
    }
    return outcomes;
  };
  return new GroupCommit<EventRow, IngestOutcome>({
    maxBatchSize,
    commit: (rows) => {
      stats.writes += rows.length;
      return ingestBatch(rows);
    },
    // A row the database refuses (not an outage) fails alone and is quarantined by the pipeline.
    mayBeItemError: (error) => !isDatabaseUnavailable(error),
    mapError: toIngestError,
    afterCommit: (rows, results) => {
      // Quarantined rows are stored dead: only a stored pending row is work for a worker.
      if (rows.some((row, i) => row.status === 'pending' && results[i] === 'stored')) listeners.notify();
    },
  });
}

/** Handlers finishing in the same tick share one transaction instead of one each. */
function completeGroupCommit(
  access: SqliteAccess,
  maxBatchSize: number,
  stats: Parts['stats'],
  deliveryListeners: ListenerSet,
): GroupCommit<CompleteRequest, CompleteResult> {
  return new GroupCommit<CompleteRequest, CompleteResult>({
    maxBatchSize,
    commit: (requests) => {
      stats.completes += requests.length;
      return access.write(0, (c) => {
        const before = c.outbox.written();
        const results = c.queue.completeBatch(requests);
        if (c.outbox.written() !== before) queueMicrotask(() => deliveryListeners.notify());
        return results;
      });
    },
    mapError: toStoreError,
  });
}

/** How every call runs: refused once closed, and unavailability turned into `StoreUnavailableError`. */
class Calls {
  closed = false;
  readonly #access: SqliteAccess;

  constructor(access: SqliteAccess) {
    this.#access = access;
  }

  rejectClosed<T>(): Promise<T> {
    return Promise.reject(new StoreUnavailableError('The SQLite event store is closed.'));
  }

  write<T>(work: (c: SqliteConnection) => T): Promise<T> {
    return this.closed ? this.rejectClosed() : settle(() => this.#access.write(0, work));
  }

  read<T>(work: (c: SqliteConnection) => T): Promise<T> {
    return this.closed ? this.rejectClosed() : settle(() => this.#access.read(work), 'read');
  }
}

function lifecycleMethods({
  access,
  policy,
  calls,
  inbox,
  completions,
  finishes,
  listeners,
  deliveryListeners,
}: Parts): StoreLifecycle {
  return {
    migrate: async (migrateOptions) => {
      await calls.write((c) => c.migrate());
      const runWork = <T>(work: (db: SqliteDatabase, prepare: PrepareCached) => T) =>
        calls.write((c) => work(c.db, c.prepare));
      const record = (changes: readonly DecisionChange[]) => access.connection?.outbox.record(changes);
      await rebuildSqliteKycFacts(runWork, migrateOptions?.onProgress);
      await redecideSqliteUsers(
        runWork,
        policy,
        record,
        migrateOptions?.onProgress,
        migrateOptions?.redecide ?? false,
      );
    },
    schemaStatus: () => calls.read((c) => c.schemaStatus()),
    ping: () => (calls.closed ? calls.rejectClosed() : settle(() => access.ping(), 'read')),
    async close() {
      if (calls.closed) return;
      // Writes accepted before the close are committed and synced (or rejected) now, then new work is
      // refused.
      calls.closed = true;
      await Promise.all([inbox.drain(), completions.drain(), finishes.drain()]);
      listeners.clear();
      deliveryListeners.clear();
      access.close();
    },
  };
}

function queueMethods({ calls, completions, listeners }: Parts): WorkQueue & QueueControls {
  return {
    claim: (claimOptions) => calls.write((c) => c.queue.claim(claimOptions)),
    complete: async (claim, updates, nowMs) => {
      if (calls.closed) return calls.rejectClosed();
      const result = await completions.submit({ claim, updates, nowMs });
      if (!result.ok) throw toStoreError(result.error);
      return result.completed;
    },
    fail: (claim, error, retryAtMs, nowMs) =>
      calls.write((c) => c.queue.fail(claim, error, retryAtMs, nowMs)),
    onEventsAvailable: (listener) => listeners.add(listener),
    replay: (eventId, nowMs) => calls.write((c) => c.queue.replay(eventId, nowMs)),
    replayDead: (filter, nowMs) => calls.write((c) => c.queue.replayDead(filter, nowMs)),
    purgeBodies: (receivedBeforeMs) => calls.write((c) => c.queue.purgeBodies(receivedBeforeMs)),
  };
}

function readModelMethods({ calls }: Parts): ReadModel {
  return {
    getEvent: (eventId) => calls.read((c) => c.reads.getEvent(eventId)),
    listEvents: (query) => calls.read((c) => c.reads.listEvents(query)),
    counts: () => calls.read((c) => c.reads.counts()),
    getInquiry: (inquiryId) => calls.read((c) => c.reads.getInquiry(inquiryId)),
    getKyc: (referenceId) => calls.read((c) => c.reads.getKyc(referenceId)),
    getKycFacts: (referenceId) => calls.read((c) => c.reads.getKycFacts(referenceId)),
    countDecisions: () => calls.read((c) => c.reads.countDecisions()),
    listKyc: (query) => calls.read((c) => c.reads.listKyc(query)),
    getVerification: (verificationId) => calls.read((c) => c.reads.getVerification(verificationId)),
    listVerifications: (inquiryIds) => calls.read((c) => c.reads.listVerifications(inquiryIds)),
    timeline: (query) => calls.read((c) => c.reads.timeline(query)),
    receivedPerMinute: (sinceMs) => calls.read((c) => c.reads.receivedPerMinute(sinceMs)),
    inboxTimes: () => calls.read((c) => c.reads.inboxTimes()),
  };
}

function outboxMethods({ calls, deliveryListeners, finishes }: Parts): OutboxStore {
  /** A control that may make a message due now wakes the delivery worker. */
  const waking = async <T>(outcome: Promise<T>, wakes: (value: T) => boolean): Promise<T> => {
    const value = await outcome;
    if (wakes(value)) deliveryListeners.notify();
    return value;
  };
  return {
    putEndpoint: (endpoint) => calls.write((c) => c.outbox.putEndpoint(endpoint)),
    listEndpoints: () => calls.read((c) => c.outbox.listEndpoints()),
    claimDeliveries: (claimOptions) => calls.write((c) => c.outbox.claimDeliveries(claimOptions)),
    // Grouped: outcomes arriving in the same turn of the event loop share one transaction.
    finishDelivery: (claim, result, retryAtMs, nowMs) =>
      calls.closed ? calls.rejectClosed() : finishes.submit({ claim, result, retryAtMs, nowMs }),
    listDeliveries: (query) => calls.read((c) => c.outbox.listDeliveries(query)),
    getDelivery: (id) => calls.read((c) => c.outbox.getDelivery(id)),
    replayDelivery: (id, nowMs) =>
      waking(
        calls.write((c) => c.outbox.replayDelivery(id, nowMs)),
        (o) => o === 'replayed',
      ),
    sendDeliveryNow: (id, nowMs) =>
      waking(
        calls.write((c) => c.outbox.sendDeliveryNow(id, nowMs)),
        (o) => o === 'queued_now',
      ),
    recoverDeliveries: (query, nowMs) =>
      waking(
        calls.write((c) => c.outbox.recoverDeliveries(query, nowMs)),
        (count) => count > 0,
      ),
    removeEndpoint: (id) => calls.write((c) => c.outbox.removeEndpoint(id)),
    deliveryStats: () => calls.read((c) => c.outbox.deliveryStats()),
    onDeliveriesAvailable: (listener) => deliveryListeners.add(listener),
  };
}

function bodyBytes(rows: readonly EventRow[]): number {
  let total = 0;
  for (const row of rows) total += row.body.byteLength;
  return total;
}

/** What an ingest caller sees: an outage is a 503; a row the database refused is that event's own problem. */
function toIngestError(error: unknown): unknown {
  if (isDatabaseUnavailable(error)) return toStoreError(error);
  return new EventRejectedError(error);
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer`);
  return value;
}
