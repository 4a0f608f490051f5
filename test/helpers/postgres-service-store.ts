/**
 * A PostgreSQL store as the service opens it: the library's store (`postgres.ts`) and the service
 * state on the same pool and schema, joined as `openStore` joins them.
 */
import { createPostgresServiceState } from '../../packages/server/src/service-state/postgres-service-state.js';
import type { ServiceStateDatabase } from '../../packages/server/src/service-state/service-state.js';
import { withServiceState } from '../../packages/server/src/service-state/with-service-state.js';
import { openTestPostgresStore, type TestStoreOverrides } from './postgres.js';

/**
 * Opens a migrated store with the service state in a new, empty schema; `cleanup` closes both, ends
 * the pool and drops the schema.
 */
export async function openTestPostgresServiceStore(overrides: TestStoreOverrides = {}) {
  const opened = await openTestPostgresStore(overrides);
  const state: ServiceStateDatabase = createPostgresServiceState(opened.pool, opened.schema);
  try {
    await state.migrate();
  } catch (error) {
    await opened.cleanup();
    throw error;
  }
  return { ...opened, state, store: withServiceState(opened.store, state) };
}
