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
import { type RebuildProgress, type Store, StoreUnavailableError } from 'persona-webhooks';
import { THREAD_METHODS, type ThreadMethod } from './protocol.js';
import { StoreThreadLink } from './store-thread-link.js';

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
  const link = new StoreThreadLink({
    path,
    policyModule: options.policyModule ?? null,
    policyFile: options.policyFile ?? null,
  });
  let closed = false;

  const callOpen = (
    method: ThreadMethod,
    args: unknown[],
    onProgress?: (progress: RebuildProgress) => void,
  ) =>
    closed
      ? Promise.reject(new StoreUnavailableError('The SQLite event store is closed.'))
      : link.call(method, args, onProgress);

  const proxied = Object.fromEntries(
    THREAD_METHODS.map((method: ThreadMethod) => [method, (...args: unknown[]) => callOpen(method, args)]),
  ) as Pick<Store, ThreadMethod>;

  return {
    ...proxied,
    // The callback stays here: the thread sends the progress back as messages.
    migrate: (options) => callOpen('migrate', [], options?.onProgress) as Promise<void>,
    onEventsAvailable(listener) {
      link.eventListeners.add(listener);
      return () => {
        link.eventListeners.delete(listener);
      };
    },
    onDeliveriesAvailable(listener) {
      link.deliveryListeners.add(listener);
      return () => {
        link.deliveryListeners.delete(listener);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      link.eventListeners.clear();
      link.deliveryListeners.clear();
      await link.close();
    },
  };
}
