/**
 * The SQLite store thread: opens the database file and runs the library's SQLite store in it, so every
 * statement, commit and WAL sync runs here and never on the thread serving HTTP. Started by
 * `threaded-sqlite-store.ts`; one request in, one reply out (`protocol.ts`).
 */
import { format } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import { loadServicePolicy } from '../server/config/policy-file.js';
import { createSqliteFileStore } from '../sqlite-file-store.js';
import {
  type StoreThreadData,
  THREAD_CONSOLE_METHODS,
  type ThreadMessage,
  type ThreadRequest,
} from './protocol.js';
import { transferError } from './transferred-error.js';

const port = parentPort;
if (!port) throw new Error('store-thread.js runs as a worker thread only');
const { path, policyModule, policyFile } = workerData as StoreThreadData;
const reply = (message: ThreadMessage) => port.postMessage(message);
// The handlers module runs here too, and a thread's console writes to the process's stdout directly,
// past the service's JSON log: each call goes to the service thread, which logs it as its own.
for (const method of THREAD_CONSOLE_METHODS) {
  console[method] = (...args: unknown[]) => reply({ console: { method, text: format(...args) } });
}
// The service thread has already imported and checked the module; the import here is the thread's own
// (modules are per thread). Requests posted meanwhile wait in the port until the listener below exists.
const kycPolicy = await loadServicePolicy({ policyModule, policyFile });
const store = createSqliteFileStore(path, kycPolicy ? { kycPolicy } : {});

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
    // A callback cannot cross threads: a migration's progress comes back as messages.
    const value =
      method === 'migrate'
        ? await store.migrate({ onProgress: (progress) => reply({ progressOf: id, progress }) })
        : await (store[method] as (...params: unknown[]) => Promise<unknown>)(...args);
    reply({ id, ok: true, value });
  } catch (error) {
    reply({ id, ok: false, error: transferError(error) });
  }
});
