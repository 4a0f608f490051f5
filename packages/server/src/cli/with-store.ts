import { type OpenStoreOptions, openStore } from '../open-store.js';
import { parseKeyring, SECRETS_KEYS_SETTING } from '../secrets-at-rest/keyring.js';
import type { ServiceStore } from '../service-state/service-state.js';
import { databaseUrlFrom } from './settings.js';

/** The `--database-url` option of every command that opens the store (commander's flags and description). */
export const DATABASE_OPTION = [
  '--database-url <url>',
  'sqlite:<path> or postgres://… (default: DATABASE_URL or the default SQLite file)',
] as const;

/**
 * Opens the store for one command and always closes it. Commands that write events (`migrate`,
 * `backfill`) pass `mode: 'migrate'` and create and migrate the store as `serve` does; read-only ones
 * work on an existing, current database and create nothing (a mistyped path must not become a new one).
 */
export async function withStore<T>(
  databaseUrl: string | undefined,
  work: (store: ServiceStore) => Promise<T>,
  mode: 'migrate' | 'existing' = 'existing',
  options: Pick<OpenStoreOptions, 'policyModule' | 'policyFile' | 'onMigrateProgress' | 'redecide'> = {},
): Promise<T> {
  const schema = process.env['PERSONA_WEBHOOKS_PG_SCHEMA'];
  const store = await openStore(databaseUrlFrom(databaseUrl), {
    ...options,
    mode,
    secretsKeys: parseKeyring(process.env[SECRETS_KEYS_SETTING]),
    ...(schema ? { postgresSchema: schema } : {}),
  });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Writes a value as indented JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
