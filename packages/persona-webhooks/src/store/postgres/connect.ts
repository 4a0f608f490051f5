/**
 * Opens the `postgres` (porsager) pool with the settings the store relies on: bigint columns parsed
 * as JS numbers (every epoch-ms value fits in 2^53), short timeouts, no array-type lookup on connect, and notices silenced (they would
 * otherwise go to console.log, e.g. "schema already exists, skipping").
 */
import postgres, { type Sql, type TransactionSql } from 'postgres';
import type { ResolvedPostgresStoreOptions } from './options.js';

const INT8_OID = 20;

const types = {
  bigint: {
    to: INT8_OID,
    from: [INT8_OID],
    serialize: (value: number): string => String(value),
    parse: (raw: string): number => Number(raw),
  },
};

/** Custom types of the pool: int8 parses to a JS number. */
type Types = { bigint: number };
/** The pool type the store's queries are written against. */
export type Db = Sql<Types>;
/** The transaction handle of `Db.begin`. */
export type Tx = TransactionSql<Types>;

/** Opens a lazily connecting pool: no connection is made until the first query. */
export function openPool(options: ResolvedPostgresStoreOptions): Db {
  return postgres(options.url, {
    max: options.max,
    connect_timeout: options.connectTimeoutSeconds,
    types,
    // The store binds no arrays, so the per-connection array-type lookup would only cost a round trip.
    fetch_types: false,
    onnotice: () => {},
    connection: {
      application_name: options.applicationName,
      statement_timeout: options.statementTimeoutMs,
    },
  });
}
