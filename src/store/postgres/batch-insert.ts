/**
 * Group commit for PostgreSQL: `ingest()` calls that arrive together are queued and written by ONE
 * multi-row `INSERT … ON CONFLICT (id) DO NOTHING RETURNING id` on the next turn of the event loop (or
 * as soon as the batch is full). The statement autocommits with the server's default
 * `synchronous_commit`, so a caller's promise resolves only once its row is durable. Several batches
 * may be in flight at once, each on its own pooled connection.
 */

import type { EventRow } from '../inbox-rows.js';
import type { IngestOutcome } from '../store.js';

/** What the batcher needs from the database and its owner. */
export interface BatchInsertOptions {
  maxBatchSize: number;
  /** Writes the rows (ids unique within the call) and returns the ids that were new. */
  insert(rows: readonly EventRow[]): Promise<ReadonlySet<string>>;
  /** Maps a failed insert to what every caller of that batch is rejected with. */
  mapError(error: unknown): unknown;
  /** Runs after a batch committed with at least one new pending row (wakes workers). */
  afterStored(): void;
}

interface Pending {
  row: EventRow;
  resolve(outcome: IngestOutcome): void;
  reject(error: unknown): void;
}

/** Queues single-row writes and commits them in batches. */
export class BatchInsert {
  #queue: Pending[] = [];
  #scheduled: ReturnType<typeof setImmediate> | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  /** Batches written (or attempted) so far: lets tests and benchmarks see the batching. */
  batches = 0;

  constructor(private readonly options: BatchInsertOptions) {}

  /** Queues one row; resolves once its batch committed, with `duplicate` if the id already existed. */
  submit(row: EventRow): Promise<IngestOutcome> {
    return new Promise<IngestOutcome>((resolve, reject) => {
      this.#queue.push({ row, resolve, reject });
      if (this.#queue.length >= this.options.maxBatchSize) this.flush();
      else this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Starts writing everything queued now. Safe to call when the queue is empty. */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    this.batches++;
    const write = this.#write(batch).finally(() => this.#inFlight.delete(write));
    this.#inFlight.add(write);
  }

  /** Flushes the queue and waits until every batch has settled. */
  async drain(): Promise<void> {
    this.flush();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #write(batch: readonly Pending[]): Promise<void> {
    // Duplicates within one batch: the first occurrence is written, later ones report `duplicate`.
    const unique = new Map<string, EventRow>();
    for (const { row } of batch) if (!unique.has(row.id)) unique.set(row.id, row);
    let stored: ReadonlySet<string>;
    try {
      stored = await this.options.insert([...unique.values()]);
    } catch (error) {
      const mapped = this.options.mapError(error);
      for (const pending of batch) pending.reject(mapped);
      return;
    }
    let wake = false;
    const claimed = new Set<string>();
    for (const { row, resolve } of batch) {
      const isNew = stored.has(row.id) && !claimed.has(row.id);
      claimed.add(row.id);
      if (isNew && row.status === 'pending') wake = true;
      resolve(isNew ? 'stored' : 'duplicate');
    }
    if (wake) this.options.afterStored();
  }
}
