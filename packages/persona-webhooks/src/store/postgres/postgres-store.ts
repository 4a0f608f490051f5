/**
 * The scale-out store: PostgreSQL behind the same `Store` interface as SQLite, safe for many instances
 * sharing one schema. Ingests are group-committed (one multi-row INSERT per batch), workers on any
 * instance are woken through LISTEN/NOTIFY, claims never hand one event to two instances, and the
 * KYC projection's newest-wins rule is enforced by row locks in the upserts.
 *
 * The driver is the caller's `pg` pool (`driver.ts` says which members are used). Every failure that
 * means "the database cannot answer" (connection refused or lost, admin shutdown, timeouts) rejects
 * with `StoreUnavailableError`; the pool opens new connections on the next call by itself, so the store
 * never needs recreating after an outage.
 */

import { createDecider } from '../decisions/postgres-decider.js';
import { rebuildPostgresKycFacts, redecidePostgresUsers } from '../decisions/postgres-kyc-rebuild.js';
import { GroupCommit } from '../group-commit.js';
import type { IngestOutcome } from '../inbox/inbox.js';
import {
  EVENT_COLUMNS,
  type EventRow,
  eventRow,
  insertEventsPrefix,
  quarantineRow,
} from '../inbox/inbox-rows.js';
import { createPostgresOutbox } from '../outbox/postgres-outbox.js';
import { createPostgresWorkQueue } from '../queue/postgres-work-queue.js';
import { createPostgresReadModel } from '../read-model/postgres-read-model.js';
import type { Store } from '../store.js';
import { createConnections } from './connections.js';
import { applyPostgresMigrations, postgresSchemaStatus } from './migrate.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { notifyChannel, type PostgresStoreOptions, resolvePostgresStoreOptions } from './options.js';
import { rowValues } from './row-values.js';
import {
  closedStoreError,
  isRowDataError,
  timedOutError,
  toIngestError,
  toStoreError,
} from './store-error.js';
import { tables } from './tables.js';
import { Wakeups } from './wakeups.js';

export type { PostgresStoreOptions } from './options.js';

/** Group-commit figures since the store opened. */
export interface PostgresWriteStats {
  /** INSERT statements sent (or attempted) for ingests and quarantines. */
  batches: number;
  /** Rows submitted through them (stored or duplicate). */
  writes: number;
}

/** The PostgreSQL store, plus figures and settings the Store interface does not need. */
export interface PostgresStore extends Store {
  /** The schema holding this store's tables. */
  readonly schema: string;
  /** Group-commit figures: with concurrent ingests, `batches` stays far below `writes`. */
  writeStats(): PostgresWriteStats;
}

/** How long close() waits for calls in flight; a hung connection must not hang shutdown. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Creates the store over the caller's pool. Nothing connects until the first call; call `migrate()`
 * before use. `close()` does not end the pool: its owner does, after `close()` resolved.
 *
 * @example
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 3000, statement_timeout: 4000 });
 * pool.on('error', (error) => log.warn({ code: (error as { code?: string }).code }, 'idle PostgreSQL connection failed'));
 * const store = createPostgresStore({ pool });
 * await store.migrate();
 * const outcome = await store.ingest(event); // 'stored' once committed, 'duplicate' on a redelivery
 * const stop = store.onEventsAvailable(() => worker.wake()); // fires for ingests on any instance
 * // at shutdown:
 * await store.close();
 * await pool.end();
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const config = resolvePostgresStoreOptions(options);
  const connections = createConnections(config.pool);
  const t = tables(config.schema);
  const deliveryListeners = new Set<() => void>();
  const wakeSenders = () => {
    for (const listener of deliveryListeners) listener();
  };
  const outbox = createPostgresOutbox(connections, t, config.onDecisionChanged, wakeSenders);
  const decider = createDecider(connections, t, config.kycPolicy, outbox.recordMany, () =>
    outbox.committed(),
  );
  const queue = createPostgresWorkQueue(connections, t, decider);
  const reads = createPostgresReadModel(connections, t, config.kycPolicy);
  const wakeups = new Wakeups(connections, notifyChannel(config.schema));
  const insertPrefix = insertEventsPrefix(t.events);
  const deadline = {
    deadlineMs: config.ingestTimeoutMs,
    onTimeout: () => timedOutError(config.ingestTimeoutMs),
  };
  let writes = 0;
  let closed = false;
  /** Calls still running: close() waits for them before giving the pool back to its owner. */
  const running = new Set<Promise<unknown>>();
  const track = <T>(call: Promise<T>): Promise<T> => {
    running.add(call);
    const forget = () => running.delete(call);
    call.then(forget, forget);
    return call;
  };

  /**
   * One multi-row `INSERT … ON CONFLICT (id) DO NOTHING RETURNING id` per batch, autocommitted with the
   * server's default synchronous_commit, so a caller's promise resolves only once its row is durable.
   * A repeat inside the batch is a duplicate of its first occurrence, as in SQLite.
   */
  const insertBatch = async (rows: readonly EventRow[]): Promise<IngestOutcome[]> => {
    writes += rows.length;
    const first = new Map<string, EventRow>();
    for (const row of rows) if (!first.has(row.id)) first.set(row.id, row);
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const row of first.values()) {
      const placeholders = EVENT_COLUMNS.map((column) => `$${values.push(row[column])}`);
      tuples.push(`(${placeholders.join(', ')})`);
    }
    const text = `${insertPrefix} ${tuples.join(', ')} ON CONFLICT (id) DO NOTHING RETURNING id`;
    const result = await connections.use((client) => client.query(text, values), deadline);
    const stored = new Set(rowValues(result.rows).map((row) => row.text('id')));
    return rows.map((row) => (stored.delete(row.id) ? 'stored' : 'duplicate'));
  };

  const inbox = new GroupCommit<EventRow, IngestOutcome>({
    maxBatchSize: config.batchMaxSize,
    commit: insertBatch,
    // A row PostgreSQL refuses fails alone (and is quarantined by the pipeline); its neighbours commit.
    mayBeItemError: isRowDataError,
    mapError: toIngestError,
    afterCommit: (rows, results) => {
      // Quarantined rows are stored dead: only a stored pending row is work for a worker.
      if (rows.some((row, i) => row.status === 'pending' && results[i] === 'stored')) {
        void track(wakeups.announce());
      }
    },
  });

  /** A read of decisions or messages: after the decide passes under way (see `decider.ts`). */
  const afterDecisions =
    <T>(work: () => Promise<T>) =>
    async () => {
      await decider.idle();
      return work();
    };

  /** Runs `work` unless closed; unavailability becomes StoreUnavailableError. */
  const run = <T>(work: () => Promise<T>, operation: 'read' | 'write' = 'write'): Promise<T> => {
    if (closed) return Promise.reject(closedStoreError());
    return track(
      work().catch((error: unknown) => {
        throw toStoreError(error, operation);
      }),
    );
  };
  const read = <T>(work: () => Promise<T>): Promise<T> => run(work, 'read');
  const submit = (row: EventRow): Promise<IngestOutcome> =>
    closed ? Promise.reject(closedStoreError()) : inbox.submit(row);

  return {
    schema: config.schema,
    migrate: (migrateOptions) =>
      run(async () => {
        await applyPostgresMigrations(connections, config.schema, POSTGRES_MIGRATIONS);
        await rebuildPostgresKycFacts(connections, t, migrateOptions?.onProgress);
        await redecidePostgresUsers(
          connections,
          t,
          config.kycPolicy,
          outbox.recordMany,
          migrateOptions?.onProgress,
          migrateOptions?.redecide ?? false,
        );
        outbox.committed();
      }),
    // `/readyz` must answer even when a connection hangs, so ping has the same deadline as ingest.
    schemaStatus: () => read(() => postgresSchemaStatus(connections, config.schema, POSTGRES_MIGRATIONS)),
    ping: () =>
      read(async () => void (await connections.use((client) => client.query('SELECT 1'), deadline))),
    ingest: (event) => submit(eventRow(event)),
    quarantine: (body) => submit(quarantineRow(body)),
    claim: (claimOptions) => run(() => queue.claim(claimOptions)),
    complete: (claim, updates, nowMs) => run(() => queue.complete(claim, updates, nowMs)),
    fail: (claim, error, retryAtMs, nowMs) => run(() => queue.fail(claim, error, retryAtMs, nowMs)),
    replay: (eventId, nowMs) =>
      run(async () => {
        const outcome = await queue.replay(eventId, nowMs);
        if (outcome === 'replayed') void track(wakeups.announce());
        return outcome;
      }),
    replayDead: (filter, nowMs) =>
      run(async () => {
        const replayed = await queue.replayDead(filter, nowMs);
        if (replayed > 0) void track(wakeups.announce());
        return replayed;
      }),
    purgeBodies: (receivedBeforeMs) => run(() => queue.purgeBodies(receivedBeforeMs)),
    getEvent: (eventId) => read(() => reads.getEvent(eventId)),
    listEvents: (query) => read(() => reads.listEvents(query)),
    counts: () => read(() => reads.counts()),
    getInquiry: (inquiryId) => read(() => reads.getInquiry(inquiryId)),
    getKyc: (referenceId) => read(afterDecisions(() => reads.getKyc(referenceId))),
    getKycFacts: (referenceId) => read(() => reads.getKycFacts(referenceId)),
    countDecisions: () => read(afterDecisions(() => reads.countDecisions())),
    listKyc: (query) => read(afterDecisions(() => reads.listKyc(query))),
    getVerification: (verificationId) => read(() => reads.getVerification(verificationId)),
    listVerifications: (inquiryIds) => read(() => reads.listVerifications(inquiryIds)),
    timeline: (query) => read(() => reads.timeline(query)),
    receivedPerMinute: (sinceMs) => read(() => reads.receivedPerMinute(sinceMs)),
    inboxTimes: () => read(() => reads.inboxTimes()),
    onEventsAvailable: (listener) => wakeups.subscribe(listener),
    // After the passes under way, so the endpoints a decision is sent to are those of its time.
    putEndpoint: (endpoint) => run(afterDecisions(() => outbox.putEndpoint(endpoint))),
    listEndpoints: () => read(() => outbox.listEndpoints()),
    claimDeliveries: (claimOptions) => run(afterDecisions(() => outbox.claimDeliveries(claimOptions))),
    finishDelivery: (claimed, result, retryAtMs, nowMs) =>
      run(() => outbox.finishDelivery(claimed, result, retryAtMs, nowMs)),
    listDeliveries: (query) => read(afterDecisions(() => outbox.listDeliveries(query))),
    getDelivery: (id) => read(() => outbox.getDelivery(id)),
    replayDelivery: (id, nowMs) => run(() => outbox.replayDelivery(id, nowMs)),
    sendDeliveryNow: (id, nowMs) => run(() => outbox.sendDeliveryNow(id, nowMs)),
    recoverDeliveries: (query, nowMs) => run(() => outbox.recoverDeliveries(query, nowMs)),
    removeEndpoint: (id) => run(() => outbox.removeEndpoint(id)),
    deliveryStats: () => read(afterDecisions(() => outbox.deliveryStats())),
    onDeliveriesAvailable(listener) {
      deliveryListeners.add(listener);
      return () => {
        deliveryListeners.delete(listener);
      };
    },
    writeStats: () => ({ batches: inbox.batches, writes }),
    async close() {
      if (closed) return;
      closed = true;
      // Acknowledge what was accepted before the close: the queued batch is written and calls in flight
      // get a grace period to finish. Whatever still holds a connection after it is destroyed, so the
      // owner's `pool.end()` (which waits for every checked-out connection) cannot hang on it.
      await inbox.drain();
      await settleWithin(running, CLOSE_GRACE_MS);
      wakeups.close();
      connections.abandonAll();
    },
  };
}

/** Resolves when every call in `running` (including ones added meanwhile) settled, or after `ms`. */
async function settleWithin(running: ReadonlySet<Promise<unknown>>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), ms);
  });
  try {
    while (running.size > 0) {
      if (await Promise.race([Promise.allSettled([...running]).then(() => false), expired])) return;
    }
  } finally {
    clearTimeout(timer);
  }
}
