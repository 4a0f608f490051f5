/**
 * Picks the store from a database URL: `postgres://…` → PostgreSQL; `sqlite:<path>` or a plain path →
 * SQLite. Each driver is imported only when chosen, so SQLite users never load the PostgreSQL driver
 * and back. The library takes the driver from us; this is the one place that opens one.
 */
import type { Store } from 'persona-webhooks';

export const DEFAULT_POSTGRES_SCHEMA = 'persona_webhooks';

export interface OpenStoreOptions {
  /** PostgreSQL schema holding the tables. Default `persona_webhooks`. */
  postgresSchema?: string;
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
      ? (await import('persona-webhooks/postgres')).createPostgresStore({
          url: target.url,
          schema: options.postgresSchema ?? DEFAULT_POSTGRES_SCHEMA,
        })
      : await openSqliteStore(target.path);
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  return store;
}

/** Imported when SQLite is chosen, so a PostgreSQL deployment never loads the native module. */
async function openSqliteStore(path: string): Promise<Store> {
  const { createSqliteFileStore } = await import('./sqlite-file-store.js');
  return createSqliteFileStore(path);
}
