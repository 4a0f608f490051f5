/**
 * Options of the PostgreSQL store, resolved once and frozen. The connection settings (address,
 * credentials, pool size, connect and statement timeouts) belong to the pool the caller passes in;
 * here are only what the store itself decides.
 */

import { checkedKycPolicy } from '../../kyc/checked-policy.js';
import type { KycPolicy } from '../../kyc/decision.js';
import { defaultKycPolicy } from '../../kyc/default-policy.js';
import type { PostgresDecisionHook } from '../outbox/postgres-outbox.js';
import type { PostgresPool } from './driver.js';

/** The pool to use and where the store's tables live. */
export interface PostgresStoreOptions {
  /**
   * A `pg` (node-postgres 8.x) `Pool`, or anything with the same `query`/`connect`. The store never
   * ends it: create it, listen for its `error` event, and call `pool.end()` after `store.close()`.
   * While something listens for wake-ups (a worker), the store holds one of its connections for
   * LISTEN. Give it short timeouts (`connectionTimeoutMillis`, `statement_timeout`): Persona gives a
   * delivery 5 seconds.
   */
  pool: PostgresPool;
  /** Schema holding every table of this store; created by `migrate()`. Default `persona_webhooks`. */
  schema?: string;
  /** Most events written by one group-commit INSERT. Default 200. */
  batchMaxSize?: number;
  /**
   * Client-side deadline for one ingest (and for `ping`), so a half-open connection (no RST) cannot
   * hold Persona's request past its 5 s budget; the connection it hung on is destroyed. Default
   * 4500 ms. A write that commits after it still dedupes when Persona retries.
   */
  ingestTimeoutMs?: number;
  /**
   * Decides each user's KYC status from their facts, in the transaction that completes an event.
   * Default {@link defaultKycPolicy}. Must be pure and deterministic.
   */
  kycPolicy?: KycPolicy;
  /**
   * Called inside the transaction of every decision change, with that transaction's client: write
   * your own rows there and they commit (or roll back) with the decision.
   */
  onDecisionChanged?: PostgresDecisionHook;
}

/** `PostgresStoreOptions` with every default applied. */
export type ResolvedPostgresStoreOptions = Readonly<
  Required<Omit<PostgresStoreOptions, 'onDecisionChanged'>> & Pick<PostgresStoreOptions, 'onDecisionChanged'>
>;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;
/** Identifiers stop at 63 bytes, and the NOTIFY channel appends a suffix to the schema name. */
const MAX_SCHEMA_LENGTH = 48;

/** Applies defaults and validates; throws `TypeError` on misuse (no pool, a bad schema name, a non-positive size). */
export function resolvePostgresStoreOptions(options: PostgresStoreOptions): ResolvedPostgresStoreOptions {
  const schema = options.schema ?? 'persona_webhooks';
  if (!SCHEMA_NAME.test(schema) || schema.length > MAX_SCHEMA_LENGTH) {
    throw new TypeError(
      `PostgreSQL schema name must match ${SCHEMA_NAME} and be at most ${MAX_SCHEMA_LENGTH} characters.`,
    );
  }
  const { pool } = options;
  if (typeof pool?.query !== 'function' || typeof pool.connect !== 'function') {
    throw new TypeError(
      "createPostgresStore needs a pool: import pg from 'pg'; createPostgresStore({ pool: new pg.Pool({ connectionString }) }).",
    );
  }
  return Object.freeze({
    pool,
    schema,
    batchMaxSize: positiveInteger('batchMaxSize', options.batchMaxSize ?? 200),
    ingestTimeoutMs: positiveInteger('ingestTimeoutMs', options.ingestTimeoutMs ?? 4500),
    // A custom policy that throws or returns garbage decides needs_review instead of failing the event forever.
    kycPolicy: options.kycPolicy ? checkedKycPolicy(options.kycPolicy) : defaultKycPolicy,
    ...(options.onDecisionChanged ? { onDecisionChanged: options.onDecisionChanged } : {}),
  });
}

/** The NOTIFY channel of one schema, so two stores in one database never wake each other. */
export function notifyChannel(schema: string): string {
  return `${schema}_events_available`;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${name} must be a positive integer.`);
  return value;
}
