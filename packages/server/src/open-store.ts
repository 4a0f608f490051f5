/**
 * Picks the store from a database URL: `postgres://…` → PostgreSQL; `sqlite:<path>` or a plain path →
 * SQLite. Each driver is imported only when chosen, so SQLite users never load the PostgreSQL driver
 * and back. The library takes the driver from us; this is the one place that opens one, and the
 * store it returns also closes what was opened for it (the PostgreSQL pool, after the store).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type KycPolicy,
  type RebuildProgress,
  type SchemaStatus,
  SchemaTooNewError,
  type Store,
} from 'persona-webhooks';
import { editDistance } from './edit-distance.js';
import { type Keyring, NO_KEYS } from './secrets-at-rest/keyring.js';
import {
  prepareSecretsAtRest,
  type SecretsAtRestReport,
  withSealedSecrets,
} from './secrets-at-rest/sealed-store.js';
import { ConfigError } from './server/config/config-error.js';
import { loadServicePolicy } from './server/config/policy-file.js';
import type { ServiceStateDatabase, ServiceStore } from './service-state/service-state.js';
import { withServiceState } from './service-state/with-service-state.js';

export const DEFAULT_POSTGRES_SCHEMA = 'persona_webhooks';

export interface OpenStoreOptions {
  /** PostgreSQL schema holding the tables. Default `persona_webhooks`. */
  postgresSchema?: string;
  /** Hears each failure of an idle PostgreSQL connection, by error code only (none for some). */
  onPostgresError?: (code: string | undefined) => void;
  /**
   * `migrate` (default): create the SQLite file if missing and apply migrations, as the service does.
   * `existing`: for read-only tools — create nothing, migrate nothing, and refuse a database that is
   * missing, not migrated, behind or ahead of this release, saying which.
   */
  mode?: 'migrate' | 'existing';
  /**
   * SQLite only: run the store in a worker thread of its own (`sqlite-thread/`), so its statements and
   * commits never stop HTTP handling. The service sets it when PERSONA_WEBHOOKS_SQLITE_THREAD=on;
   * one-shot commands gain nothing from it.
   */
  sqliteThread?: boolean;
  /**
   * The handlers module (PERSONA_WEBHOOKS_HANDLERS) whose `kycPolicy` export, if any, decides each
   * user's KYC status; a path rather than the function because a function cannot reach the store
   * thread, which imports the module itself. A `kycPolicy` that is not a function is a ConfigError.
   */
  policyModule?: string | null;
  /** The policy file (PERSONA_WEBHOOKS_POLICY); a handlers module's `kycPolicy` wins over it. */
  policyFile?: string | null;
  /** `migrate` mode: hears the rebuild of KYC facts and the re-decision of users move. */
  onMigrateProgress?: (progress: RebuildProgress) => void;
  /** `migrate` mode: decide every user again even if the policy did not change. */
  redecide?: boolean;
  /**
   * The keys endpoint secrets are sealed with (PERSONA_WEBHOOKS_SECRETS_KEYS); none: stored in clear.
   * In `migrate` mode secrets still in clear or under an older key are sealed under the first key, and
   * expired ones removed; sealed secrets without their key stop the open (`secrets-at-rest/`).
   */
  secretsKeys?: Keyring;
  /** `migrate` mode: hears what was done to the stored secrets. */
  onSecretsAtRest?: (report: SecretsAtRestReport) => void;
}

/** Where a database URL points, without opening anything. */
export type StoreTarget = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/** The schemes a DATABASE_URL may name; anything else is refused rather than read as a file name. */
const KNOWN_SCHEMES = ['sqlite', 'postgres', 'postgresql'] as const;

/**
 * Reads a database URL. A URL with any other scheme (`postgress://`, `mysql://`, `file:`) is a
 * ConfigError: read as a SQLite path it would quietly start on a new, empty file in a folder named
 * after the URL, so two instances meant to share PostgreSQL would each keep their own data.
 */
export function parseDatabaseUrl(databaseUrl: string): StoreTarget {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return { dialect: 'postgres', url: databaseUrl };
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(databaseUrl)?.[1]?.toLowerCase();
  // One letter before the colon is a Windows drive (C:\data\pw.db), a path.
  if (scheme !== undefined && scheme !== 'sqlite') throw unknownScheme(scheme);
  const path = databaseUrl.replace(/^sqlite:(\/\/)?/i, '');
  if (path.length === 0)
    throw new ConfigError('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/persona-webhooks.db');
  return { dialect: 'sqlite', path };
}

function unknownScheme(scheme: string): ConfigError {
  const closest = KNOWN_SCHEMES.map((known) => ({ known, distance: editDistance(scheme, known) })).sort(
    (a, b) => a.distance - b.distance,
  )[0]!;
  // The URL itself is not repeated: it may hold a password.
  const hint =
    closest.distance <= 2
      ? ` Did you mean ${closest.known}:${closest.known === 'sqlite' ? '' : '//'}…?`
      : ' This service stores into SQLite or PostgreSQL only.';
  return new ConfigError(
    `DATABASE_URL (or --database-url) has the scheme "${scheme}:", which is neither sqlite:<path> nor postgres://… nor postgresql://…; nothing was opened.${hint}`,
  );
}

/**
 * Where `databaseUrl` points, for messages that must say which store they read (a lookup that found
 * nothing): the SQLite file's absolute path, or the PostgreSQL server, database and schema without
 * the password.
 */
export function describeStoreTarget(databaseUrl: string, postgresSchema = DEFAULT_POSTGRES_SCHEMA): string {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.dialect === 'sqlite') {
    return target.path === ':memory:' ? 'SQLite :memory:' : `SQLite file ${resolve(target.path)}`;
  }
  try {
    const url = new URL(target.url);
    url.password = '';
    url.search = '';
    return `PostgreSQL ${url.href} (schema ${postgresSchema})`;
  } catch {
    return `PostgreSQL (schema ${postgresSchema})`;
  }
}

/** The library's store and the service state, opened on one database but not yet joined. */
interface OpenedParts {
  store: Store;
  state: ServiceStateDatabase;
}

/**
 * Opens and migrates the store a database URL names: the library's event store and the service's own
 * state (`service-state/`), in the same SQLite file or PostgreSQL schema. The service's migrations run
 * first: the library's latest one drops the tables older releases kept for the service, which the
 * service's first one adopts.
 *
 * @example
 * const store = await openStore('sqlite:./data/persona-webhooks.db');
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<ServiceStore> {
  const target = parseDatabaseUrl(databaseUrl);
  const existing = options.mode === 'existing';
  // Loaded (and checked) before anything opens: a broken policy stops the start, not the first event.
  const kycPolicy = await loadServicePolicy(options);
  const parts =
    target.dialect === 'postgres'
      ? await openPostgresStore(target.url, options, kycPolicy)
      : await openSqliteStore(target.path, existing, options, kycPolicy);
  const store = withServiceState(parts.store, parts.state);
  const keyring = options.secretsKeys ?? NO_KEYS;
  try {
    if (existing) {
      requireCurrentSchema(await store.schemaStatus(), databaseUrl);
      requireCurrentSchema(await parts.state.schemaStatus(), databaseUrl, 'service state schema');
    } else {
      // The service's migrations, then the library's (`withServiceState`).
      await store.migrate({
        ...(options.onMigrateProgress ? { onProgress: options.onMigrateProgress } : {}),
        redecide: options.redecide ?? false,
      });
      // Not `onSecretsAtRest?.(await …)`: that would skip the preparation itself when nobody listens.
      const report = await prepareSecretsAtRest(store, keyring);
      options.onSecretsAtRest?.(report);
    }
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  return withSealedSecrets(store, keyring);
}

/**
 * What a read-only tool says instead of running on a schema it does not match; `what` names which
 * versions these are (the event store's, or the service state's `service_schema_migrations`).
 */
function requireCurrentSchema(status: SchemaStatus, databaseUrl: string, what = 'schema'): void {
  if (status.applied > status.latest) throw new SchemaTooNewError(status.applied, status.latest);
  if (status.applied === 0) {
    throw new ConfigError(
      `${databaseUrl} is not migrated: start the service or run \`persona-webhooks migrate\` first.`,
    );
  }
  if (status.applied < status.latest) {
    throw new ConfigError(
      `${databaseUrl} is at ${what} version ${status.applied}; this release needs ${status.latest}: run \`persona-webhooks migrate\`.`,
    );
  }
}

/** Imported when PostgreSQL is chosen. The returned store's close() ends the pool once the store closed. */
async function openPostgresStore(
  url: string,
  options: OpenStoreOptions,
  kycPolicy: KycPolicy | undefined,
): Promise<OpenedParts> {
  const [{ createPostgresStore }, { endPostgresPool, openPostgresPool }, { createPostgresServiceState }] =
    await Promise.all([
      import('persona-webhooks/postgres'),
      import('./postgres-pool.js'),
      import('./service-state/postgres-service-state.js'),
    ]);
  const pool = openPostgresPool(url, options.onPostgresError);
  const schema = options.postgresSchema ?? DEFAULT_POSTGRES_SCHEMA;
  const store = createPostgresStore({ pool, schema, ...(kycPolicy ? { kycPolicy } : {}) });
  return {
    store: {
      ...store,
      async close() {
        try {
          await store.close();
        } finally {
          await endPostgresPool(pool);
        }
      },
    },
    // The same pool and schema: nothing of its own to close.
    state: createPostgresServiceState(pool, schema),
  };
}

/**
 * Imported when SQLite is chosen, so a PostgreSQL deployment never loads the native module. The
 * service state keeps its own connection on this thread, even when the store runs in a thread.
 */
async function openSqliteStore(
  path: string,
  mustExist: boolean,
  options: OpenStoreOptions,
  kycPolicy: KycPolicy | undefined,
): Promise<OpenedParts> {
  const { createSqliteServiceState } = await import('./service-state/sqlite-service-state.js');
  const state = createSqliteServiceState(path, { mustExist });
  return { store: await openSqliteEventStore(path, mustExist, options, kycPolicy), state };
}

/** The library's SQLite store, in a thread of its own when asked for. */
async function openSqliteEventStore(
  path: string,
  mustExist: boolean,
  options: OpenStoreOptions,
  kycPolicy: KycPolicy | undefined,
): Promise<Store> {
  // A mistyped path must not quietly become a new, empty database for a read-only command.
  if (mustExist && path !== ':memory:' && !existsSync(path)) {
    throw new ConfigError(`No database at ${path}: check DATABASE_URL (or --database-url).`);
  }
  // In-memory databases are per connection: one in a thread would be invisible to everything else.
  if (options.sqliteThread && !mustExist && path !== ':memory:') {
    const { createThreadedSqliteStore } = await import('./sqlite-thread/threaded-sqlite-store.js');
    return createThreadedSqliteStore(path, {
      policyModule: options.policyModule ?? null,
      policyFile: options.policyFile ?? null,
    });
  }
  const { createSqliteFileStore } = await import('./sqlite-file-store.js');
  return createSqliteFileStore(path, { mustExist, ...(kycPolicy ? { kycPolicy } : {}) });
}
