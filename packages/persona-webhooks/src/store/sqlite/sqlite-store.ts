/**
 * The embedded default store: one SQLite file, one connection, durable before every acknowledgement.
 * better-sqlite3 is synchronous, so each method runs its transaction to completion and settles a
 * promise. Ingests are group-committed (see `../group-commit.ts`) to share one fsync per batch; the
 * worker's completes are grouped the same way, and its transactions skip the fsync unless told
 * otherwise (see `worker-synchronous.ts`).
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
import { rebuildSqliteKycFacts, redecideSqliteUsers } from '../decisions/sqlite-kyc-rebuild.js';
import { GroupCommit } from '../group-commit.js';
import type { IngestOutcome } from '../inbox/inbox.js';
import { type EventRow, eventRow, quarantineRow } from '../inbox/inbox-rows.js';
import type { SqliteDecisionHook } from '../outbox/sqlite-outbox.js';
import type { CompleteRequest, CompleteResult } from '../queue/sqlite-work-queue.js';
import type { Store } from '../store.js';
import type { SqliteDatabase, SqliteDatabaseSource } from './driver.js';
import { openSqliteConnection, type SqliteConnection } from './sqlite-connection.js';
import type { PrepareCached } from './statement-cache.js';
import { isDatabaseUnavailable, needsReopen, settle, toStoreError } from './store-error.js';
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
  /** Most worker completes committed in one transaction. Default 256; 1 disables grouping. */
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
  const batchMaxSize = positiveInt('batchMaxSize', options.batchMaxSize ?? DEFAULT_BATCH_MAX_SIZE);
  const completeBatchMaxSize = positiveInt(
    'completeBatchMaxSize',
    options.completeBatchMaxSize ?? DEFAULT_BATCH_MAX_SIZE,
  );
  const workerSynchronous = options.workerSynchronous ?? 'normal';
  if (workerSynchronous !== 'normal' && workerSynchronous !== 'full') {
    throw new TypeError("workerSynchronous must be 'normal' or 'full'");
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  // A custom policy that throws or returns garbage decides needs_review instead of failing the event forever.
  const policy = options.kycPolicy ? checkedKycPolicy(options.kycPolicy) : defaultKycPolicy;
  const listeners = new Set<() => void>();
  const deliveryListeners = new Set<() => void>();
  let connection: SqliteConnection | undefined;
  let writes = 0;
  let completes = 0;
  let closed = false;

  /**
   * Set when a write failed because the store could not take it (disk full, read-only, I/O error, file
   * replaced), with the size it tried; cleared by the next write that succeeds. While it is set, `ping`
   * (readiness) proves the disk with a real write of that size instead of answering from a read.
   */
  let writeFault: { bytes: number } | null = null;

  const connect = (): SqliteConnection => {
    connection ??= openSqliteConnection(
      options.database,
      busyTimeoutMs,
      workerSynchronous,
      policy,
      options.onDecisionChanged,
    );
    connection.identity.check();
    return connection;
  };

  /** After a failure that makes the connection itself suspect, drop it: the next call opens the file again. */
  const dropSuspectConnection = (error: unknown): void => {
    if (!connection || typeof options.database !== 'function' || !needsReopen(error)) return;
    try {
      connection.close();
    } catch {
      // Already broken; what matters is that the next call opens a fresh connection.
    }
    connection = undefined;
  };

  /** Runs a write; remembers whether the store could take it. */
  const write = <T>(bytes: number, work: (c: SqliteConnection) => T): T => {
    try {
      const result = work(connect());
      writeFault = null;
      return result;
    } catch (error) {
      writeFailed(bytes, error);
      throw error;
    }
  };

  const writeFailed = (bytes: number, error: unknown): void => {
    if (isDatabaseUnavailable(error)) writeFault = { bytes: Math.max(bytes, MIN_PROBE_BYTES) };
    dropSuspectConnection(error);
  };

  /** An ingest batch: committed on the event loop, acknowledged once its WAL sync (off the loop) is done. */
  const ingestBatch = async (rows: readonly EventRow[]): Promise<IngestOutcome[]> => {
    const bytes = bodyBytes(rows);
    const [outcomes, durable] = write(bytes, (c) => [c.insertBatch(rows), c.durable()] as const);
    try {
      await durable;
    } catch (error) {
      writeFailed(bytes, error);
      throw error;
    }
    return outcomes;
  };

  /** Runs a read; a suspect connection is dropped all the same. */
  const read = <T>(work: (c: SqliteConnection) => T): T => {
    try {
      return work(connect());
    } catch (error) {
      dropSuspectConnection(error);
      throw error;
    }
  };

  const notify = (to: ReadonlySet<() => void> = listeners): void => {
    for (const listener of to) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the write it follows has already committed.
      }
    }
  };

  const inbox = new GroupCommit<EventRow, IngestOutcome>({
    maxBatchSize: batchMaxSize,
    commit: (rows) => {
      writes += rows.length;
      return ingestBatch(rows);
    },
    // A row the database refuses (not an outage) fails alone and is quarantined by the pipeline.
    mayBeItemError: (error) => !isDatabaseUnavailable(error),
    mapError: toIngestError,
    afterCommit: (rows, results) => {
      // Quarantined rows are stored dead: only a stored pending row is work for a worker.
      if (rows.some((row, i) => row.status === 'pending' && results[i] === 'stored')) notify();
    },
  });

  // Handlers finishing in the same tick share one transaction instead of one each.
  const completions = new GroupCommit<CompleteRequest, CompleteResult>({
    maxBatchSize: completeBatchMaxSize,
    commit: (requests) => {
      completes += requests.length;
      return write(0, (c) => {
        const before = c.outbox.written();
        const results = c.queue.completeBatch(requests);
        if (c.outbox.written() !== before) queueMicrotask(() => notify(deliveryListeners));
        return results;
      });
    },
    mapError: toStoreError,
  });

  const rejectClosed = () => Promise.reject(new StoreUnavailableError('The SQLite event store is closed.'));
  /** Runs a write unless closed; unavailability becomes StoreUnavailableError. */
  const runWrite = <T>(work: (c: SqliteConnection) => T): Promise<T> =>
    closed ? rejectClosed() : settle(() => write(0, work));
  /** Runs a read unless closed; unavailability becomes StoreUnavailableError. */
  const runRead = <T>(work: (c: SqliteConnection) => T): Promise<T> =>
    closed ? rejectClosed() : settle(() => read(work), 'read');
  const submit = (row: EventRow): Promise<IngestOutcome> => (closed ? rejectClosed() : inbox.submit(row));

  return {
    migrate: async (migrateOptions) => {
      await runWrite((c) => c.migrate());
      const runWork = <T>(work: (db: SqliteDatabase, prepare: PrepareCached) => T) =>
        runWrite((c) => work(c.db, c.prepare));
      const record = (changes: readonly DecisionChange[]) => connection?.outbox.record(changes);
      await rebuildSqliteKycFacts(runWork, migrateOptions?.onProgress);
      await redecideSqliteUsers(
        runWork,
        policy,
        record,
        migrateOptions?.onProgress,
        migrateOptions?.redecide ?? false,
      );
    },
    schemaStatus: () => runRead((c) => c.schemaStatus()),
    ping: () =>
      closed
        ? rejectClosed()
        : settle(() => {
            const fault = writeFault;
            if (fault) write(fault.bytes, (c) => c.probeWrite(fault.bytes, Date.now()));
            else read((c) => c.prepare('SELECT 1').get());
          }, 'read'),
    ingest: (event) => submit(eventRow(event)),
    quarantine: (body) => submit(quarantineRow(body)),
    claim: (claimOptions) => runWrite((c) => c.queue.claim(claimOptions)),
    complete: async (claim, updates, nowMs) => {
      if (closed) return rejectClosed();
      const result = await completions.submit({ claim, updates, nowMs });
      if (!result.ok) throw toStoreError(result.error);
      return result.completed;
    },
    fail: (claim, error, retryAtMs, nowMs) => runWrite((c) => c.queue.fail(claim, error, retryAtMs, nowMs)),
    replay: (eventId, nowMs) => runWrite((c) => c.queue.replay(eventId, nowMs)),
    replayDead: (filter, nowMs) => runWrite((c) => c.queue.replayDead(filter, nowMs)),
    purgeBodies: (receivedBeforeMs) => runWrite((c) => c.queue.purgeBodies(receivedBeforeMs)),
    getEvent: (eventId) => runRead((c) => c.reads.getEvent(eventId)),
    listEvents: (query) => runRead((c) => c.reads.listEvents(query)),
    counts: () => runRead((c) => c.reads.counts()),
    getInquiry: (inquiryId) => runRead((c) => c.reads.getInquiry(inquiryId)),
    getKyc: (referenceId) => runRead((c) => c.reads.getKyc(referenceId)),
    getKycFacts: (referenceId) => runRead((c) => c.reads.getKycFacts(referenceId)),
    countDecisions: () => runRead((c) => c.reads.countDecisions()),
    listKyc: (query) => runRead((c) => c.reads.listKyc(query)),
    getVerification: (verificationId) => runRead((c) => c.reads.getVerification(verificationId)),
    listVerifications: (inquiryIds) => runRead((c) => c.reads.listVerifications(inquiryIds)),
    timeline: (query) => runRead((c) => c.reads.timeline(query)),
    receivedPerMinute: (sinceMs) => runRead((c) => c.reads.receivedPerMinute(sinceMs)),
    inboxTimes: () => runRead((c) => c.reads.inboxTimes()),
    onEventsAvailable(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    putEndpoint: (endpoint) => runWrite((c) => c.outbox.putEndpoint(endpoint)),
    listEndpoints: () => runRead((c) => c.outbox.listEndpoints()),
    claimDeliveries: (claimOptions) => runWrite((c) => c.outbox.claimDeliveries(claimOptions)),
    finishDelivery: (claimed, result, retryAtMs, nowMs) =>
      runWrite((c) => c.outbox.finishDelivery(claimed, result, retryAtMs, nowMs)),
    listDeliveries: (query) => runRead((c) => c.outbox.listDeliveries(query)),
    getDelivery: (id) => runRead((c) => c.outbox.getDelivery(id)),
    replayDelivery: async (id, nowMs) => {
      const outcome = await runWrite((c) => c.outbox.replayDelivery(id, nowMs));
      if (outcome === 'replayed') notify(deliveryListeners);
      return outcome;
    },
    sendDeliveryNow: async (id, nowMs) => {
      const outcome = await runWrite((c) => c.outbox.sendDeliveryNow(id, nowMs));
      if (outcome === 'queued_now') notify(deliveryListeners);
      return outcome;
    },
    recoverDeliveries: async (query, nowMs) => {
      const count = await runWrite((c) => c.outbox.recoverDeliveries(query, nowMs));
      if (count > 0) notify(deliveryListeners);
      return count;
    },
    removeEndpoint: (id) => runWrite((c) => c.outbox.removeEndpoint(id)),
    deliveryStats: () => runRead((c) => c.outbox.deliveryStats()),
    onDeliveriesAvailable(listener) {
      deliveryListeners.add(listener);
      return () => {
        deliveryListeners.delete(listener);
      };
    },
    writeStats: () => ({
      batches: inbox.batches,
      writes,
      completeBatches: completions.batches,
      completes,
    }),
    async close() {
      if (closed) return;
      // Writes accepted before the close are committed and synced (or rejected) now, then new work is
      // refused.
      closed = true;
      await Promise.all([inbox.drain(), completions.drain()]);
      listeners.clear();
      deliveryListeners.clear();
      connection?.close();
      connection = undefined;
    },
  };
}

/** The smallest write `ping` probes with while writes are failing: about eight sample-sized events. */
const MIN_PROBE_BYTES = 64 * 1024;

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
