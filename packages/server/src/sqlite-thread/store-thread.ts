/**
 * The SQLite store thread: opens the database file and runs the library's SQLite store in it, so every
 * statement, commit and WAL sync runs here and never on the thread serving HTTP. Started by
 * `threaded-sqlite-store.ts`; one request in, one reply out (`protocol.ts`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadKycPolicy } from '../server/handlers-module.js';
import { createSqliteFileStore } from '../sqlite-file-store.js';
import type { StoreThreadData, ThreadMessage, ThreadRequest } from './protocol.js';
import { transferError } from './transferred-error.js';

const port = parentPort;
if (!port) throw new Error('store-thread.js runs as a worker thread only');
const { path, policyModule } = workerData as StoreThreadData;
// The service thread has already imported and checked the module; the import here is the thread's own
// (modules are per thread). Requests posted meanwhile wait in the port until the listener below exists.
const kycPolicy = policyModule ? await loadKycPolicy(policyModule) : undefined;
const store = createSqliteFileStore(path, kycPolicy ? { kycPolicy } : {});
const reply = (message: ThreadMessage) => port.postMessage(message);

store.onEventsAvailable(() => reply({ available: 'events' }));
store.onDeliveriesAvailable(() => reply({ available: 'deliveries' }));

port.on('message', async ({ id, method, args }: ThreadRequest) => {
  try {
    if (method === 'close') {
      await store.close();
      reply({ id, ok: true, value: undefined });
      port.close();
      return;
    }
    const value = await (store[method] as (...params: unknown[]) => Promise<unknown>)(...args);
    reply({ id, ok: true, value });
  } catch (error) {
    reply({ id, ok: false, error: transferError(error) });
  }
});
