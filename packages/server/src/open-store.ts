/**
 * Picks the store from a database URL: `postgres://…` → PostgreSQL; `sqlite:<path>` or a plain path →
 * SQLite. Each driver is imported only when chosen, so SQLite users never load the PostgreSQL driver
 * and back. The library takes the driver from us; this is the one place that opens one, and the
 * store it returns also closes what was opened for it (the PostgreSQL pool, after the store).
 */
import type { Store } from 'persona-webhooks';

export const DEFAULT_POSTGRES_SCHEMA = 'persona_webhooks';

export interface OpenStoreOptions {
  /** PostgreSQL schema holding the tables. Default `persona_webhooks`. */
  postgresSchema?: string;
  /** Hears each failure of an idle PostgreSQL connection, by error code only (none for some). */
  onPostgresError?: (code: string | undefined) => void;
}

/** Where a database URL points, without opening anything. */
export type StoreTarget = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

export function parseDatabaseUrl(databaseUrl: string): StoreTarget {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return { dialect: 'postgres', url: databaseUrl };
  const path = databaseUrl.replace(/^sqlite:(\/\/)?/i, '');
  if (path.length === 0)
    throw new TypeError('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/persona-webhooks.db');
  return { dialect: 'sqlite', path };
}

/**
 * Opens and migrates the store a database URL names.
 *
 * @example
 * const store = await openStore('sqlite:./data/persona-webhooks.db');
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const target = parseDatabaseUrl(databaseUrl);
  const store =
    target.dialect === 'postgres'
      ? await openPostgresStore(target.url, options)
      : await openSqliteStore(target.path);
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  return store;
}

/** Imported when PostgreSQL is chosen. The returned store's close() ends the pool once the store closed. */
async function openPostgresStore(url: string, options: OpenStoreOptions): Promise<Store> {
  const [{ createPostgresStore }, { endPostgresPool, openPostgresPool }] = await Promise.all([
    import('persona-webhooks/postgres'),
    import('./postgres-pool.js'),
  ]);
  const pool = openPostgresPool(url, options.onPostgresError);
  const store = createPostgresStore({ pool, schema: options.postgresSchema ?? DEFAULT_POSTGRES_SCHEMA });
  return {
    ...store,
    async close() {
      try {
        await store.close();
      } finally {
        await endPostgresPool(pool);
      }
    },
  };
}

/** Imported when SQLite is chosen, so a PostgreSQL deployment never loads the native module. */
async function openSqliteStore(path: string): Promise<Store> {
  const { createSqliteFileStore } = await import('./sqlite-file-store.js');
  return createSqliteFileStore(path);
}
