/**
 * Group commit: writes that arrive while the event loop is busy are queued and committed together in
 * one transaction (one fsync, or one multi-row statement), flushed on the next `setImmediate` or as soon
 * as the batch is full. Each caller's promise settles only after that transaction committed, so
 * acknowledging an event still means it is on disk; the batch just shares the cost of getting it there.
 * Both stores use it: SQLite commits synchronously, PostgreSQL asynchronously (several batches may then
 * be in flight at once, each on its own pooled connection).
 */
import { PendingCount } from '../pending-count.js';

/** How a batch is written. */
export interface GroupCommitOptions<I, R> {
  /** Flush as soon as this many items are queued. */
  maxBatchSize: number;
  /**
   * Writes all items in ONE transaction and returns one result per item, in order. Throwing (or
   * rejecting) must mean the transaction rolled back: every caller of the batch is rejected with the
   * (mapped) error.
   */
  commit(items: readonly I[]): R[] | Promise<R[]>;
  /** Maps a thrown commit error to what callers see. */
  mapError(error: unknown): unknown;
  /**
   * True when a failed batch may have failed because of one of its items (a data error), not because
   * the database is unavailable. The batch is then committed again one item per transaction, so one
   * bad item fails alone and its neighbours are stored. Default: never.
   */
  mayBeItemError?(error: unknown): boolean;
  /**
   * False when `item` cannot join the items queued now (e.g. one transaction may not change a row
   * twice): the queued batch is flushed first and `item` starts the next. Default: always fits.
   * `queued` is the same array until the batch is flushed, so an implementation may memoise on it.
   */
  fits?(queued: readonly I[], item: I): boolean;
  /** Runs after a successful commit, outside the transaction. */
  afterCommit?(items: readonly I[], results: readonly R[]): void;
}

interface Pending<I, R> {
  item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/** A queue that turns concurrent single writes into batched transactions. */
export class GroupCommit<I, R> {
  #queue: Pending<I, R>[] = [];
  /** The items of `#queue`, for `fits`. */
  #queuedItems: I[] = [];
  #scheduled: ReturnType<typeof setImmediate> | undefined;
  /** Batches still committing (a count, not a Set of their promises: see pending-count.ts). */
  readonly #inFlight = new PendingCount();
  /** Transactions committed (or attempted) so far: lets tests and benchmarks see the batching. */
  batches = 0;

  constructor(private readonly options: GroupCommitOptions<I, R>) {}

  /** Queues one write; resolves with its result once its batch committed. */
  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const { fits } = this.options;
      if (fits && this.#queue.length > 0 && !fits(this.#queuedItems, item)) this.flush();
      this.#queue.push({ item, resolve, reject });
      this.#queuedItems.push(item);
      if (this.#queue.length >= this.options.maxBatchSize) this.flush();
      else this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Starts committing everything queued now. Safe to call when the queue is empty. */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    this.#queuedItems = [];
    this.batches++;
    this.#commit(batch);
  }

  #commit(batch: Pending<I, R>[]): void {
    const items = batch.map((pending) => pending.item);
    let results: R[] | Promise<R[]>;
    try {
      results = this.options.commit(items);
    } catch (error) {
      this.#fail(batch, error);
      return;
    }
    if (Array.isArray(results)) {
      this.#succeed(batch, items, results);
      return;
    }
    this.#inFlight.track(
      results.then(
        (settled) => this.#succeed(batch, items, settled),
        (error: unknown) => this.#fail(batch, error),
      ),
    );
  }

  /** Flushes the queue and waits until every batch in flight has settled. */
  async drain(): Promise<void> {
    this.flush();
    await this.#inFlight.idle();
  }

  #succeed(batch: readonly Pending<I, R>[], items: readonly I[], results: readonly R[]): void {
    batch.forEach((pending, i) => {
      pending.resolve(results[i] as R);
    });
    this.options.afterCommit?.(items, results);
  }

  #fail(batch: readonly Pending<I, R>[], error: unknown): void {
    if (batch.length > 1 && this.options.mayBeItemError?.(error)) {
      // Nothing of the batch was committed: retry each item alone, so only a bad one fails.
      for (const pending of batch) {
        this.batches++;
        this.#commit([pending]);
      }
      return;
    }
    const mapped = this.options.mapError(error);
    for (const pending of batch) pending.reject(mapped);
  }
}
