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

import type { OutboxStore } from '../../outbox/outbox-types.js';
import { createDecider, type Decider } from '../decisions/postgres-decider.js';
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
import { ListenerSet } from '../listener-set.js';
import { createPostgresOutbox, type PostgresOutbox } from '../outbox/postgres-outbox.js';
import type { PostgresFinishRequest } from '../outbox/postgres-outbox-claims.js';
import { createPostgresWorkQueue, type PostgresWorkQueue } from '../queue/postgres-work-queue.js';
import type { QueueControls, WorkQueue } from '../queue/work-queue.js';
import { createPostgresReadModel } from '../read-model/postgres-read-model.js';
import type { ReadModel } from '../read-model/read-model.js';
import type { Store, StoreLifecycle } from '../store.js';
import { type Connections, createConnections } from './connections.js';
import { applyPostgresMigrations, postgresSchemaStatus } from './migrate.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import {
  notifyChannel,
  type PostgresStoreOptions,
  resolvePostgresStoreOptions,
} from './postgres-store-options.js';
import { rowValues } from './row-values.js';
import { closedStoreError, isRowDataError, timedOutError, toIngestError } from './store-error.js';
import { type Tables, tables } from './tables.js';
import { Calls, settleWithin } from './tracked-calls.js';
import { Wakeups } from './wakeups.js';

export type { PostgresStoreOptions } from './postgres-store-options.js';

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
  const parts = createParts(options);
  const submit = (row: EventRow): Promise<IngestOutcome> =>
    parts.calls.closed ? Promise.reject(closedStoreError()) : parts.inbox.submit(row);
  return {
    schema: parts.config.schema,
    ...lifecycleMethods(parts),
    ingest: (event) => submit(eventRow(event)),
    quarantine: (body) => submit(quarantineRow(body)),
    ...queueMethods(parts),
    ...readModelMethods(parts),
    ...outboxMethods(parts),
    writeStats: () => ({ batches: parts.inbox.batches, writes: parts.stats.writes }),
  };
}

/** What the store is made of: each role's part over one pool, and how calls into them run. */
interface Parts {
  config: ReturnType<typeof resolvePostgresStoreOptions>;
  connections: Connections;
  t: Tables;
  outbox: PostgresOutbox;
  decider: Decider;
  queue: PostgresWorkQueue;
  reads: ReadModel;
  wakeups: Wakeups;
  deliveryListeners: ListenerSet;
  inbox: GroupCommit<EventRow, IngestOutcome>;
  /** Delivery outcomes, grouped as SQLite's are: attempts ending together share one transaction. */
  finishes: GroupCommit<PostgresFinishRequest, boolean>;
  stats: { writes: number };
  calls: Calls;
}

function createParts(options: PostgresStoreOptions): Parts {
  const config = resolvePostgresStoreOptions(options);
  const connections = createConnections(config.pool);
  const t = tables(config.schema);
  const deliveryListeners = new ListenerSet();
  const outbox = createPostgresOutbox(connections, t, config.onDecisionChanged, () =>
    deliveryListeners.notify(),
  );
  const decider = createDecider(connections, t, config.kycPolicy, outbox.recordMany, () =>
    outbox.committed(),
  );
  const wakeups = new Wakeups(connections, notifyChannel(config.schema));
  const calls = new Calls();
  const stats = { writes: 0 };
  const inbox = ingestGroupCommit(connections, t, config, stats, () => void calls.track(wakeups.announce()));
  return {
    config,
    connections,
    t,
    outbox,
    decider,
    queue: createPostgresWorkQueue(connections, t, decider),
    reads: createPostgresReadModel(connections, t, config.kycPolicy),
    wakeups,
    deliveryListeners,
    inbox,
    finishes: new GroupCommit<PostgresFinishRequest, boolean>({
      maxBatchSize: config.batchMaxSize,
      commit: (requests) => outbox.finishDeliveries(requests),
      // An outcome PostgreSQL refuses fails alone: its lease runs out and the message is sent again.
      mayBeItemError: isRowDataError,
      // `calls.run` maps what callers see.
      mapError: (error) => error,
    }),
    stats,
    calls,
  };
}

/**
 * Ingests, group-committed: one multi-row `INSERT … ON CONFLICT (id) DO NOTHING RETURNING id` per
 * batch, autocommitted with the server's default synchronous_commit, so a caller's promise resolves
 * only once its row is durable. A repeat inside the batch is a duplicate of its first occurrence, as
 * in SQLite.
 */
function ingestGroupCommit(
  connections: Connections,
  t: Tables,
  config: Parts['config'],
  stats: Parts['stats'],
  announce: () => void,
): GroupCommit<EventRow, IngestOutcome> {
  const insertPrefix = insertEventsPrefix(t.events);
  const deadline = {
    deadlineMs: config.ingestTimeoutMs,
    onTimeout: () => timedOutError(config.ingestTimeoutMs),
  };
  const insertBatch = async (rows: readonly EventRow[]): Promise<IngestOutcome[]> => {
    stats.writes += rows.length;
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
  return new GroupCommit<EventRow, IngestOutcome>({
    maxBatchSize: config.batchMaxSize,
    commit: insertBatch,
    // A row PostgreSQL refuses fails alone (and is quarantined by the pipeline); its neighbours commit.
    mayBeItemError: isRowDataError,
    mapError: toIngestError,
    afterCommit: (rows, results) => {
      // Quarantined rows are stored dead: only a stored pending row is work for a worker.
      if (rows.some((row, i) => row.status === 'pending' && results[i] === 'stored')) announce();
    },
  });
}

/** A read of decisions or messages: after the decide passes under way (see `postgres-decider.ts`). */
function afterDecisions<T>(decider: Decider, work: () => Promise<T>): () => Promise<T> {
  return async () => {
    await decider.idle();
    return work();
  };
}

function lifecycleMethods({
  config,
  connections,
  t,
  outbox,
  calls,
  inbox,
  finishes,
  wakeups,
}: Parts): StoreLifecycle {
  // `/readyz` must answer even when a connection hangs, so ping has the same deadline as ingest.
  const deadline = {
    deadlineMs: config.ingestTimeoutMs,
    onTimeout: () => timedOutError(config.ingestTimeoutMs),
  };
  return {
    migrate: (migrateOptions) =>
      calls.run(async () => {
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
    schemaStatus: () =>
      calls.read(() => postgresSchemaStatus(connections, config.schema, POSTGRES_MIGRATIONS)),
    ping: () =>
      calls.read(async () => void (await connections.use((client) => client.query('SELECT 1'), deadline))),
    async close() {
      if (calls.closed) return;
      calls.closed = true;
      // Acknowledge what was accepted before the close: the queued batch is written and calls in flight
      // get a grace period to finish. Whatever still holds a connection after it is destroyed, so the
      // owner's `pool.end()` (which waits for every checked-out connection) cannot hang on it.
      await Promise.all([inbox.drain(), finishes.drain()]);
      await settleWithin(calls.running, CLOSE_GRACE_MS);
      wakeups.close();
      connections.abandonAll();
    },
  };
}

function queueMethods({ queue, calls, wakeups }: Parts): WorkQueue & QueueControls {
  const announce = () => void calls.track(wakeups.announce());
  return {
    claim: (claimOptions) => calls.run(() => queue.claim(claimOptions)),
    complete: (claim, updates, nowMs) => calls.run(() => queue.complete(claim, updates, nowMs)),
    fail: (claim, error, retryAtMs, nowMs) => calls.run(() => queue.fail(claim, error, retryAtMs, nowMs)),
    onEventsAvailable: (listener) => wakeups.subscribe(listener),
    replay: (eventId, nowMs) =>
      calls.run(async () => {
        const outcome = await queue.replay(eventId, nowMs);
        if (outcome === 'replayed') announce();
        return outcome;
      }),
    replayDead: (filter, nowMs) =>
      calls.run(async () => {
        const replayed = await queue.replayDead(filter, nowMs);
        if (replayed > 0) announce();
        return replayed;
      }),
    purgeBodies: (receivedBeforeMs) => calls.run(() => queue.purgeBodies(receivedBeforeMs)),
  };
}

function readModelMethods({ reads, calls, decider }: Parts): ReadModel {
  const read = <T>(work: () => Promise<T>) => calls.read(work);
  return {
    getEvent: (eventId) => read(() => reads.getEvent(eventId)),
    listEvents: (query) => read(() => reads.listEvents(query)),
    counts: () => read(() => reads.counts()),
    getInquiry: (inquiryId) => read(() => reads.getInquiry(inquiryId)),
    getKyc: (referenceId) => read(afterDecisions(decider, () => reads.getKyc(referenceId))),
    getKycFacts: (referenceId) => read(() => reads.getKycFacts(referenceId)),
    countDecisions: () => read(afterDecisions(decider, () => reads.countDecisions())),
    listKyc: (query) => read(afterDecisions(decider, () => reads.listKyc(query))),
    getVerification: (verificationId) => read(() => reads.getVerification(verificationId)),
    listVerifications: (inquiryIds) => read(() => reads.listVerifications(inquiryIds)),
    timeline: (query) => read(() => reads.timeline(query)),
    receivedPerMinute: (sinceMs) => read(() => reads.receivedPerMinute(sinceMs)),
    inboxTimes: () => read(() => reads.inboxTimes()),
  };
}

function outboxMethods({ outbox, calls, decider, deliveryListeners, finishes }: Parts): OutboxStore {
  const run = <T>(work: () => Promise<T>) => calls.run(work);
  const read = <T>(work: () => Promise<T>) => calls.read(work);
  return {
    // After the passes under way, so the endpoints a decision is sent to are those of its time.
    putEndpoint: (endpoint) => run(afterDecisions(decider, () => outbox.putEndpoint(endpoint))),
    listEndpoints: () => read(() => outbox.listEndpoints()),
    claimDeliveries: (claimOptions) =>
      run(afterDecisions(decider, () => outbox.claimDeliveries(claimOptions))),
    finishDelivery: (claim, result, retryAtMs, nowMs) =>
      run(() => finishes.submit({ claim, result, retryAtMs, nowMs })),
    listDeliveries: (query) => read(afterDecisions(decider, () => outbox.listDeliveries(query))),
    getDelivery: (id) => read(() => outbox.getDelivery(id)),
    replayDelivery: (id, nowMs) => run(() => outbox.replayDelivery(id, nowMs)),
    sendDeliveryNow: (id, nowMs) => run(() => outbox.sendDeliveryNow(id, nowMs)),
    recoverDeliveries: (query, nowMs) => run(() => outbox.recoverDeliveries(query, nowMs)),
    removeEndpoint: (id) => run(() => outbox.removeEndpoint(id)),
    deliveryStats: () => read(afterDecisions(decider, () => outbox.deliveryStats())),
    onDeliveriesAvailable: (listener) => deliveryListeners.add(listener),
  };
}
