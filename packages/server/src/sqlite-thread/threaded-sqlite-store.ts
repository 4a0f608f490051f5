/**
 * The service's SQLite store: the library's SQLite store running in a worker thread of its own
 * (`store-thread.ts`), behind a `Store` whose methods post a request and await the reply.
 *
 * Why: better-sqlite3 is synchronous, so with the store on the main thread every insert, claim,
 * completion and commit stops HTTP handling — about 40% of the service's CPU under load goes to SQLite
 * itself. In the thread, that work can overlap request handling on another core. Opt-in
 * (PERSONA_WEBHOOKS_SQLITE_THREAD=on): on the 2-core bench machine, where the load generator takes the
 * other core, it raised ingest by about 1.2× while the worker lagged behind, and by nothing measurable
 * once the worker kept up, for about 70 MB more peak RSS. The guarantees are the store's own,
 * unchanged: an ingest resolves only once the thread's store has committed and synced it.
 *
 * If the thread dies, the calls waiting on it reject with `StoreUnavailableError` (a 503: Persona
 * retries, and the retry finds the event stored or stores it) and the next call starts a new thread.
 */
import { Worker } from 'node:worker_threads';
import { type RebuildProgress, type Store, StoreUnavailableError } from 'persona-webhooks';
import {
  type StoreThreadData,
  THREAD_METHODS,
  type ThreadMessage,
  type ThreadMethod,
  type ThreadRequest,
} from './protocol.js';
import { receiveError } from './transferred-error.js';

const THREAD_SCRIPT = new URL('./store-thread.js', import.meta.url);

interface Waiting {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** A migration's progress callback. */
  onProgress?: (progress: RebuildProgress) => void;
}

/**
 * Opens (lazily, on the first call) the SQLite file at `path` in a store thread; `policyModule` names
 * the handlers module whose `kycPolicy` that store decides with.
 *
 * @example
 * const store = createThreadedSqliteStore('./data/persona-webhooks.db');
 * await store.migrate();
 */
export function createThreadedSqliteStore(
  path: string,
  options: { policyModule?: string | null; policyFile?: string | null } = {},
): Store {
  const waiting = new Map<number, Waiting>();
  const listeners = new Set<() => void>();
  const deliveryListeners = new Set<() => void>();
  let thread: Worker | undefined;
  let nextId = 0;
  let closed = false;

  const stopped = (which: Worker, reason: string) => {
    if (thread !== which) return;
    thread = undefined;
    const error = new StoreUnavailableError(
      `The SQLite event store's thread stopped (${reason}); the outcome of the calls in flight is unknown.`,
    );
    for (const call of waiting.values()) call.reject(error);
    waiting.clear();
  };

  const start = (): Worker => {
    const worker = new Worker(THREAD_SCRIPT, {
      workerData: {
        path,
        policyModule: options.policyModule ?? null,
        policyFile: options.policyFile ?? null,
      } satisfies StoreThreadData,
    });
    worker.on('message', (message: ThreadMessage) => {
      if ('available' in message) {
        for (const listener of message.available === 'events' ? listeners : deliveryListeners) listener();
        return;
      }
      if ('progressOf' in message) {
        waiting.get(message.progressOf)?.onProgress?.(message.progress);
        return;
      }
      if ('console' in message) {
        // Written here, the text goes wherever this thread's console goes (the service's JSON log).
        console[message.console.method](message.console.text);
        return;
      }
      const call = waiting.get(message.id);
      if (!call) return;
      waiting.delete(message.id);
      if (message.ok) call.resolve(message.value);
      else call.reject(receiveError(message.error));
    });
    // The error's class only: its message may quote data.
    worker.on('error', (error) => stopped(worker, error.name));
    worker.on('exit', (code) => stopped(worker, `exit code ${code}`));
    return worker;
  };

  const call = (
    method: ThreadRequest['method'],
    args: unknown[],
    onProgress?: Waiting['onProgress'],
  ): Promise<unknown> =>
    new Promise((resolve, reject) => {
      thread ??= start();
      const id = ++nextId;
      waiting.set(id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      thread.postMessage({ id, method, args } satisfies ThreadRequest);
    });

  const callOpen = (method: ThreadMethod, args: unknown[], onProgress?: Waiting['onProgress']) =>
    closed
      ? Promise.reject(new StoreUnavailableError('The SQLite event store is closed.'))
      : call(method, args, onProgress);

  const proxied = Object.fromEntries(
    THREAD_METHODS.map((method: ThreadMethod) => [method, (...args: unknown[]) => callOpen(method, args)]),
  ) as Pick<Store, ThreadMethod>;

  return {
    ...proxied,
    // The callback stays here: the thread sends the progress back as messages.
    migrate: (options) => callOpen('migrate', [], options?.onProgress) as Promise<void>,
    onEventsAvailable(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    onDeliveriesAvailable(listener) {
      deliveryListeners.add(listener);
      return () => {
        deliveryListeners.delete(listener);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      deliveryListeners.clear();
      const worker = thread;
      if (!worker) return;
      try {
        // The thread's store commits and syncs what it accepted before it closes.
        await call('close', []);
      } finally {
        thread = undefined;
        await worker.terminate();
      }
    },
  };
}
