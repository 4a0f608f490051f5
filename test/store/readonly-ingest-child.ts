/**
 * Child process of the read-only test: opens the store at argv[2], tries one ingest and prints the
 * outcome as JSON. When the tests run as root it runs without the capabilities that let root ignore
 * file permissions.
 */
import { createSqliteFileStore } from '../../packages/server/src/sqlite-file-store.js';
import { inboxEvent } from './store-fixtures.js';

const store = createSqliteFileStore(process.argv[2] ?? '', { busyTimeoutMs: 100 });
const report = await store.ingest(inboxEvent('evt_readonly')).then(
  (outcome) => ({ outcome }),
  (error: { code?: unknown; cause?: { code?: unknown } }) => ({
    error: error.code,
    cause: error.cause?.code,
  }),
);
await store.close();
process.stdout.write(JSON.stringify(report));
