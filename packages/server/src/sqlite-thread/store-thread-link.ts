/**
 * The main thread's end of the store thread (`store-thread.ts`): starts the thread on the first call,
 * and again on the call after it died; posts each call and routes what comes back — replies, migration
 * progress, availability signals and console output. `threaded-sqlite-store.ts` builds the `Store` on it.
 */
import { Worker } from 'node:worker_threads';
import { type RebuildProgress, StoreUnavailableError } from 'persona-webhooks';
import type { StoreThreadData, ThreadMessage, ThreadRequest } from './protocol.js';
import { receiveError } from './transferred-error.js';

const THREAD_SCRIPT = new URL('./store-thread.js', import.meta.url);

interface Waiting {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** A migration's progress callback. */
  onProgress?: (progress: RebuildProgress) => void;
}

export class StoreThreadLink {
  /** Called when the thread's store says new events are available. */
  readonly eventListeners = new Set<() => void>();
  /** Called when the thread's store says new deliveries are available. */
  readonly deliveryListeners = new Set<() => void>();
  readonly #data: StoreThreadData;
  readonly #waiting = new Map<number, Waiting>();
  #thread: Worker | undefined;
  #nextId = 0;

  constructor(data: StoreThreadData) {
    this.#data = data;
  }

  /** Posts one call to the thread (starting it if need be) and resolves with its reply. */
  call(
    method: ThreadRequest['method'],
    args: unknown[],
    onProgress?: Waiting['onProgress'],
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#thread ??= this.#start();
      const id = ++this.#nextId;
      this.#waiting.set(id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      this.#thread.postMessage({ id, method, args } satisfies ThreadRequest);
    });
  }

  /** Closes the thread's store, then ends the thread; nothing to do if it is not running. */
  async close(): Promise<void> {
    const worker = this.#thread;
    if (!worker) return;
    try {
      // The thread's store commits and syncs what it accepted before it closes.
      await this.call('close', []);
    } finally {
      this.#thread = undefined;
      await worker.terminate();
    }
  }

  #start(): Worker {
    const worker = new Worker(THREAD_SCRIPT, { workerData: this.#data });
    worker.on('message', (message: ThreadMessage) => this.#receive(message));
    // The error's class only: its message may quote data.
    worker.on('error', (error) => this.#stopped(worker, error.name));
    worker.on('exit', (code) => this.#stopped(worker, `exit code ${code}`));
    return worker;
  }

  #receive(message: ThreadMessage): void {
    if ('available' in message) {
      for (const listener of message.available === 'events' ? this.eventListeners : this.deliveryListeners)
        listener();
      return;
    }
    if ('progressOf' in message) {
      this.#waiting.get(message.progressOf)?.onProgress?.(message.progress);
      return;
    }
    if ('console' in message) {
      // Written here, the text goes wherever this thread's console goes (the service's JSON log).
      console[message.console.method](message.console.text);
      return;
    }
    const call = this.#waiting.get(message.id);
    if (!call) return;
    this.#waiting.delete(message.id);
    if (message.ok) call.resolve(message.value);
    else call.reject(receiveError(message.error));
  }

  /** The calls waiting on a thread that died fail: whether they happened is unknown. */
  #stopped(which: Worker, reason: string): void {
    if (this.#thread !== which) return;
    this.#thread = undefined;
    const error = new StoreUnavailableError(
      `The SQLite event store's thread stopped (${reason}); the outcome of the calls in flight is unknown.`,
    );
    for (const call of this.#waiting.values()) call.reject(error);
    this.#waiting.clear();
  }
}
