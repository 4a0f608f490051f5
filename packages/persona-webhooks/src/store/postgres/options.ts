/**
 * Options of the PostgreSQL store, resolved once and frozen. Timeouts default low on purpose: Persona
 * gives a delivery 5 seconds, so an ingest must fail fast (and be retried by Persona) rather than hang.
 */

/** How to reach PostgreSQL and where the store's tables live. */
export interface PostgresStoreOptions {
  /** `postgres://user:pass@host:port/db`. */
  url: string;
  /** Schema holding every table of this store; created by `migrate()`. Default `persona_webhooks`. */
  schema?: string;
  /** Pool size. Default 10 (plus one dedicated connection once something listens for wake-ups). */
  max?: number;
  /** Most events written by one group-commit INSERT. Default 200. */
  batchMaxSize?: number;
  /** Seconds to wait for a TCP connection + startup. Default 3. */
  connectTimeoutSeconds?: number;
  /** Server-side limit for one statement. Default 4000 ms. */
  statementTimeoutMs?: number;
  /**
   * Client-side deadline for one ingest (and for `ping`), so a half-open connection (no RST) cannot
   * hold Persona's request past its 5 s budget. Default 4500 ms. A write that commits after it still
   * dedupes when Persona retries.
   */
  ingestTimeoutMs?: number;
  /** `application_name` shown in `pg_stat_activity`. Default `persona-webhooks`. */
  applicationName?: string;
}

/** `PostgresStoreOptions` with every default applied. */
export type ResolvedPostgresStoreOptions = Readonly<Required<PostgresStoreOptions>>;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;
/** Identifiers stop at 63 bytes, and the NOTIFY channel appends a suffix to the schema name. */
const MAX_SCHEMA_LENGTH = 48;

/** Applies defaults and validates; throws `TypeError` on misuse (a bad schema name, a non-positive size). */
export function resolvePostgresStoreOptions(options: PostgresStoreOptions): ResolvedPostgresStoreOptions {
  const schema = options.schema ?? 'persona_webhooks';
  if (!SCHEMA_NAME.test(schema) || schema.length > MAX_SCHEMA_LENGTH) {
    throw new TypeError(
      `PostgreSQL schema name must match ${SCHEMA_NAME} and be at most ${MAX_SCHEMA_LENGTH} characters.`,
    );
  }
  if (typeof options.url !== 'string' || options.url.length === 0) {
    throw new TypeError('createPostgresStore needs a url, e.g. postgres://user@localhost:5432/app.');
  }
  const resolved = {
    url: options.url,
    schema,
    max: positiveInteger('max', options.max ?? 10),
    batchMaxSize: positiveInteger('batchMaxSize', options.batchMaxSize ?? 200),
    connectTimeoutSeconds: positiveInteger('connectTimeoutSeconds', options.connectTimeoutSeconds ?? 3),
    statementTimeoutMs: positiveInteger('statementTimeoutMs', options.statementTimeoutMs ?? 4000),
    ingestTimeoutMs: positiveInteger('ingestTimeoutMs', options.ingestTimeoutMs ?? 4500),
    applicationName: options.applicationName ?? 'persona-webhooks',
  };
  return Object.freeze(resolved);
}

/** The NOTIFY channel of one schema, so two stores in one database never wake each other. */
export function notifyChannel(schema: string): string {
  return `${schema}_events_available`;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${name} must be a positive integer.`);
  return value;
}
