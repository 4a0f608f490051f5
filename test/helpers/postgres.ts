/**
 * PostgreSQL for store tests: every call gets its own schema (`pw_test_<random>`), so test files run
 * in parallel against one database and leave nothing behind. Set PERSONA_TEST_POSTGRES_URL to point
 * elsewhere (default postgres://postgres@127.0.0.1:5432/test). Pools are plain `pg` pools, configured
 * as the service configures its own, so the tests see what production sees (int8 as strings included).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  createPostgresStore,
  type PostgresStore,
  type PostgresStoreOptions,
} from '../../packages/persona-webhooks/src/store/postgres/postgres-store.js';

/** The database the PostgreSQL tests use. */
export const TEST_POSTGRES_URL =
  process.env['PERSONA_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A pg pool on `url` with the service's timeouts. Idle-connection errors (expected in outage tests)
 * are swallowed: the owner of a pool must listen, or one would crash the test process.
 */
export function testPool(options: { url?: string; max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url ?? TEST_POSTGRES_URL,
    max: options.max ?? 10,
    connectionTimeoutMillis: 3_000,
    statement_timeout: 4_000,
    application_name: 'persona-webhooks-test',
  });
  pool.on('error', () => {});
  return pool;
}

/** Runs `work` with a one-connection pool, then ends it. */
export async function withTestPool<T>(work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = testPool({ max: 1 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

/**
 * Whether the test database answers. Unreachable under CI (`CI=true`) is a failure, never a silent
 * skip; locally the caller skips its suite and the reason is printed.
 */
export async function postgresReachable(): Promise<boolean> {
  try {
    await withTestPool((pool) => pool.query('SELECT 1'));
    return true;
  } catch (error) {
    const reason = `PostgreSQL is not reachable at ${TEST_POSTGRES_URL} (${String(error)})`;
    if (process.env['CI'] === 'true') throw new Error(`${reason}; CI must run the PostgreSQL store tests.`);
    console.warn(
      `${reason}: skipping the PostgreSQL store tests. Start it, or set PERSONA_TEST_POSTGRES_URL.`,
    );
    return false;
  }
}

/** A fresh schema name, unique per call. */
export function testSchemaName(): string {
  return `pw_test_${randomBytes(6).toString('hex')}`;
}

/** Drops a test schema and everything in it, over its own short-lived connection. */
export async function dropTestSchema(schema: string): Promise<void> {
  await withTestPool((pool) => pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** What `openTestPostgresStore` may override: the store's options, and the URL its pool connects to. */
export type TestStoreOverrides = Partial<Omit<PostgresStoreOptions, 'pool'>> & { url?: string; max?: number };

/**
 * Opens a migrated store on its own pool, in a new, empty schema. `cleanup` closes the store (even if
 * already closed), ends the pool and drops the schema. `overrides` can point the pool elsewhere (e.g.
 * through a proxy) or reuse a schema.
 */
export async function openTestPostgresStore(overrides: TestStoreOverrides = {}): Promise<{
  store: PostgresStore;
  pool: pg.Pool;
  schema: string;
  cleanup: () => Promise<void>;
}> {
  const { url, max, ...storeOptions } = overrides;
  const schema = storeOptions.schema ?? testSchemaName();
  const pool = testPool({ ...(url === undefined ? {} : { url }), ...(max === undefined ? {} : { max }) });
  const store = createPostgresStore({ ...storeOptions, pool, schema });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    await pool.end();
    throw error;
  }
  return {
    store,
    pool,
    schema,
    cleanup: async () => {
      await store.close();
      await pool.end();
      await dropTestSchema(schema);
    },
  };
}
