/**
 * Picks the store from a database URL: `postgres://…` → PostgreSQL; `sqlite:<path>` or a plain path →
 * SQLite. Each driver is imported only when chosen, so SQLite users never load `postgres` and back.
 */
import type { Store } from './store.js';

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
      ? (await import('./postgres/postgres-store.js')).createPostgresStore({
          url: target.url,
          schema: options.postgresSchema ?? DEFAULT_POSTGRES_SCHEMA,
        })
      : (await import('./sqlite/sqlite-store.js')).createSqliteStore({ path: target.path });
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  return store;
}
