/**
 * PostgreSQL for store tests: every call gets its own schema (`pw_test_<random>`), so test files run
 * in parallel against one database and leave nothing behind. Set PERSONA_TEST_POSTGRES_URL to point
 * elsewhere (default postgres://postgres@127.0.0.1:5432/test).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import {
  createPostgresStore,
  type PostgresStore,
  type PostgresStoreOptions,
} from '../../packages/persona-webhooks/src/store/postgres/postgres-store.js';

/** The database the PostgreSQL tests use. */
export const TEST_POSTGRES_URL =
  process.env['PERSONA_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether the test database answers. Unreachable under CI (`CI=true`) is a failure, never a silent
 * skip; locally the caller skips its suite and the reason is printed.
 */
export async function postgresReachable(): Promise<boolean> {
  const sql = postgres(TEST_POSTGRES_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    return true;
  } catch (error) {
    const reason = `PostgreSQL is not reachable at ${TEST_POSTGRES_URL} (${String(error)})`;
    if (process.env['CI'] === 'true') throw new Error(`${reason}; CI must run the PostgreSQL store tests.`);
    console.warn(
      `${reason}: skipping the PostgreSQL store tests. Start it, or set PERSONA_TEST_POSTGRES_URL.`,
    );
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** A fresh schema name, unique per call. */
export function testSchemaName(): string {
  return `pw_test_${randomBytes(6).toString('hex')}`;
}

/** Drops a test schema and everything in it, over its own short-lived connection. */
export async function dropTestSchema(schema: string): Promise<void> {
  const sql = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });
  try {
    await sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * Opens a migrated store in a new, empty schema. `cleanup` closes it (even if already closed) and drops
 * the schema. `overrides` can point the store elsewhere (e.g. through a proxy) or reuse a schema.
 */
export async function openTestPostgresStore(
  overrides: Partial<PostgresStoreOptions> = {},
): Promise<{ store: PostgresStore; schema: string; cleanup: () => Promise<void> }> {
  const schema = overrides.schema ?? testSchemaName();
  const store = createPostgresStore({ url: TEST_POSTGRES_URL, ...overrides, schema });
  await store.migrate();
  return {
    store,
    schema,
    cleanup: async () => {
      await store.close();
      await dropTestSchema(schema);
    },
  };
}
