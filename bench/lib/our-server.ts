/**
 * The server specs the bench starts: our service (`bin/persona-webhooks.js serve`, from dist/) on SQLite
 * or PostgreSQL (one instance, or two on one database and schema), and the baselines.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BaselineServers } from '../servers/compile-servers.js';
import type { ServerSpec } from './child-server.js';
import { BENCH_SECRET } from './payloads.js';
import { BENCH_PG_URL, dropSchema, freshSchema } from './postgres.js';

/** Bearer token for the admin API of the servers the bench starts. */
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789';
/** The route every server under test receives webhooks on. */
export const WEBHOOK_PATH = '/webhooks/persona';

const BIN = fileURLToPath(new URL('../../packages/server/bin/persona-webhooks.js', import.meta.url));
const NO_STORE = fileURLToPath(new URL('../servers/ours-no-store.mjs', import.meta.url));

/** A spec plus what to clean up after the server stopped (its database file or schema). */
export interface PreparedServer {
  spec: ServerSpec;
  cleanup(): Promise<void>;
}

/** Which server: the two baselines, or ours on one of its stores (`postgres2`: two instances, one schema). */
export type ServerKind =
  | 'bare'
  | 'express'
  | 'nostore'
  | 'sqlite'
  | 'sqlitethread'
  | 'postgres'
  | 'postgres2';

/** How many processes of the spec a kind runs (each started with `startServers`, lib/server-group.ts). */
export function instancesOf(kind: ServerKind): number {
  return kind === 'postgres2' ? 2 : 1;
}

let databases = 0;

/**
 * Builds the spec for one fresh server of that kind (a new database file or schema each time). `bin`
 * runs our service from another checkout instead (`bench/compare-ingest.ts`). Every instance started
 * from one spec shares its database and schema; cleanup runs once, after all of them stopped.
 */
export function prepareServer(kind: ServerKind, baselines: BaselineServers, bin = BIN): PreparedServer {
  if (kind === 'bare') {
    return {
      spec: { label: 'bare node:http', args: [baselines.bareNode], env: {}, readyPath: '/', anyStatus: true },
      cleanup: async () => {},
    };
  }
  if (kind === 'express') {
    return {
      spec: {
        label: 'express copy',
        args: [baselines.expressCopy],
        env: { PERSONA_WEBHOOK_SECRET: BENCH_SECRET },
        readyPath: '/',
        anyStatus: true,
      },
      cleanup: async () => {},
    };
  }
  if (kind === 'nostore') {
    return {
      spec: {
        label: 'ours, no store',
        args: [NO_STORE],
        env: { PERSONA_WEBHOOK_SECRET: BENCH_SECRET },
        readyPath: '/',
        anyStatus: true,
      },
      cleanup: async () => {},
    };
  }
  const env: Record<string, string> = {
    PERSONA_WEBHOOK_SECRET: BENCH_SECRET,
    ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
  };
  if (kind === 'sqlite' || kind === 'sqlitethread') {
    // sqlitethread: the store in a worker thread of its own, to measure what it costs and buys.
    if (kind === 'sqlitethread') env['PERSONA_WEBHOOKS_SQLITE_THREAD'] = 'on';
    const path = join(tmpdir(), `persona-webhooks-bench-${process.pid}-${++databases}.db`);
    env['DATABASE_URL'] = `sqlite:${path}`;
    return {
      spec: { label: 'ours (SQLite)', args: [bin, 'serve'], env, readyPath: '/readyz' },
      cleanup: async () => removeSqlite(path),
    };
  }
  const schema = freshSchema();
  env['DATABASE_URL'] = BENCH_PG_URL;
  env['PERSONA_WEBHOOKS_PG_SCHEMA'] = schema;
  return {
    spec: {
      label: kind === 'postgres2' ? 'ours (PostgreSQL, 2 instances)' : 'ours (PostgreSQL)',
      args: [bin, 'serve'],
      env,
      readyPath: '/readyz',
    },
    cleanup: () => dropSchema(schema),
  };
}

/** Removes a SQLite database with its WAL and shared-memory files. */
export function removeSqlite(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}
