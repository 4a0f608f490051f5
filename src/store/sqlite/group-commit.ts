/**
 * Group commit: writes that arrive while the event loop is busy are queued and committed together in
 * one transaction (one fsync), flushed on the next `setImmediate` or as soon as the batch is full.
 * Each caller's promise settles only after that transaction committed, so acknowledging an event
 * still means it is on disk; the batch just shares the cost of getting it there.
 */

/** How a batch is written. */
export interface GroupCommitOptions<I, R> {
  /** Flush as soon as this many items are queued. */
  maxBatchSize: number;
  /**
   * Writes all items in ONE transaction and returns one result per item, in order. Throwing must
   * mean the transaction rolled back: every caller of the batch is rejected with the (mapped) error.
   */
  commit(items: readonly I[]): R[];
  /** Maps a thrown commit error to what callers see. */
  mapError(error: unknown): unknown;
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
  #scheduled: ReturnType<typeof setImmediate> | undefined;
  /** Transactions committed (or attempted) so far: lets tests and benchmarks see the batching. */
  batches = 0;

  constructor(private readonly options: GroupCommitOptions<I, R>) {}

  /** Queues one write; resolves with its result once its batch committed. */
  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.#queue.length >= this.options.maxBatchSize) this.flush();
      else this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits everything queued now. Safe to call when the queue is empty. */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    this.batches++;
    const items = batch.map((pending) => pending.item);
    let results: R[];
    try {
      results = this.options.commit(items);
    } catch (error) {
      const mapped = this.options.mapError(error);
      for (const pending of batch) pending.reject(mapped);
      return;
    }
    batch.forEach((pending, i) => {
      pending.resolve(results[i] as R);
    });
    this.options.afterCommit?.(items, results);
  }
}
