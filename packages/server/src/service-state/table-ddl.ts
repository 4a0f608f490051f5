/**
 * How each service table is created, per dialect: the columns, types and checks older releases created
 * them with in the library's migrations (SQLite 4, 8, 9; PostgreSQL 4, 7, 8), so a table adopted from
 * an older database and a new one are alike. Names come from `table-names.ts`.
 */
import { SERVICE_TABLES, type ServiceTable } from './table-names.js';

/** One service table: its name, the name older releases gave it, and its DDL per dialect. */
export interface ServiceTableDdl {
  key: ServiceTable;
  table: string;
  /** The unprefixed name the library's migrations gave it before the service kept it. */
  legacy: string;
  sqlite: string;
  postgres: string;
  /** Statements both dialects run after creating or adopting it (indexes, the single row). */
  after: readonly string[];
}

const { appTokens, sessionRevocations, reconcile } = SERVICE_TABLES;

/**
 * Read-only API tokens for applications. Only a SHA-256 of each token is kept (the tokens are 256
 * random bits, so a plain hash is enough): a copy of the database grants nothing.
 */
const APP_TOKENS: ServiceTableDdl = {
  key: 'appTokens',
  table: appTokens,
  legacy: 'app_tokens',
  sqlite: `CREATE TABLE ${appTokens} (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at_ms INTEGER NOT NULL,
  last_used_at_ms INTEGER,
  revoked_at_ms INTEGER
) STRICT`,
  postgres: `CREATE TABLE ${appTokens} (
  id text PRIMARY KEY,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at_ms bigint NOT NULL,
  last_used_at_ms bigint,
  revoked_at_ms bigint
)`,
  after: [],
};

/**
 * Dashboard sign-outs. A row is needed only until the session's own expiry; sign-out deletes the
 * expired ones through the expiry index. An adopted table's index is given the service's name too.
 */
const SESSION_REVOCATIONS: ServiceTableDdl = {
  key: 'sessionRevocations',
  table: sessionRevocations,
  legacy: 'session_revocations',
  sqlite: `CREATE TABLE ${sessionRevocations} (
  session_id TEXT PRIMARY KEY,
  expires_at_ms INTEGER NOT NULL
) STRICT`,
  postgres: `CREATE TABLE ${sessionRevocations} (
  session_id text PRIMARY KEY,
  expires_at_ms bigint NOT NULL
)`,
  after: [
    'DROP INDEX IF EXISTS session_revocations_expiry',
    `CREATE INDEX IF NOT EXISTS ${sessionRevocations}_expiry ON ${sessionRevocations} (expires_at_ms)`,
  ],
};

/** The reconciliation checkpoint, lease and schedule: one row (id 1) every instance shares. */
const RECONCILE_STATE: ServiceTableDdl = {
  key: 'reconcile',
  table: reconcile,
  legacy: 'reconcile_state',
  sqlite: `CREATE TABLE ${reconcile} (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  checkpoint_ms INTEGER,
  next_run_at_ms INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_expires_at_ms INTEGER,
  last_started_at_ms INTEGER,
  last_finished_at_ms INTEGER,
  last_result TEXT CHECK (last_result IN ('ok', 'failed')),
  last_error TEXT,
  failures INTEGER NOT NULL DEFAULT 0,
  recovered_total INTEGER NOT NULL DEFAULT 0,
  last_recovered INTEGER
) STRICT`,
  postgres: `CREATE TABLE ${reconcile} (
  id integer PRIMARY KEY CHECK (id = 1),
  checkpoint_ms bigint,
  next_run_at_ms bigint NOT NULL DEFAULT 0,
  lease_owner text,
  lease_expires_at_ms bigint,
  last_started_at_ms bigint,
  last_finished_at_ms bigint,
  last_result text CHECK (last_result IN ('ok', 'failed')),
  last_error text,
  failures integer NOT NULL DEFAULT 0,
  recovered_total bigint NOT NULL DEFAULT 0,
  last_recovered integer
)`,
  // An adopted table already has its row; a new one gets it here.
  after: [`INSERT INTO ${reconcile} (id) VALUES (1) ON CONFLICT (id) DO NOTHING`],
};

/** Every service table, in the order migration 1 adopts or creates them. */
export const SERVICE_TABLE_DDL: readonly ServiceTableDdl[] = Object.freeze([
  APP_TOKENS,
  SESSION_REVOCATIONS,
  RECONCILE_STATE,
]);
