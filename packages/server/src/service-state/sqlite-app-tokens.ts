/**
 * Applications' read-only API tokens in SQLite: the shared statements (`app-token-sql.ts`), each an
 * autocommitted statement; a revocation decides in one IMMEDIATE transaction whether it revoked.
 */
import type Database from 'better-sqlite3';
import { type AppTokenRow, appTokenStatements, toAppToken } from './app-token-sql.js';
import type { AppToken, NewAppToken, RevokeAppTokenOutcome } from './app-tokens.js';
import type { PrepareCached } from './sqlite-statements.js';
import { SERVICE_TABLES } from './table-names.js';

const SQL = appTokenStatements(SERVICE_TABLES.appTokens);

/** App token operations bound to one connection, synchronous as better-sqlite3 is. */
export interface SqliteAppTokens {
  create(token: NewAppToken): void;
  list(): AppToken[];
  find(tokenHash: string): AppToken | null;
  touch(id: string, nowMs: number): void;
  revoke(id: string, nowMs: number): RevokeAppTokenOutcome;
}

/** Binds the app token operations to one connection (statements prepared on first use). */
export function createSqliteAppTokens(db: Database.Database, prepare: PrepareCached): SqliteAppTokens {
  const revoke = db.transaction((id: string, nowMs: number): RevokeAppTokenOutcome => {
    if (prepare(SQL.revoke).run({ id, now: nowMs }).changes > 0) return 'revoked';
    return prepare(SQL.exists).get({ id }) === undefined ? 'not_found' : 'already_revoked';
  });
  return {
    create: (token) => void prepare(SQL.insert).run({ ...token }),
    list: () => (prepare(SQL.list).all() as AppTokenRow[]).map(toAppToken),
    find: (tokenHash) => {
      const row = prepare(SQL.find).get({ tokenHash }) as AppTokenRow | undefined;
      return row ? toAppToken(row) : null;
    },
    touch: (id, nowMs) => void prepare(SQL.touch).run({ id, now: nowMs }),
    revoke: (id, nowMs) => revoke.immediate(id, nowMs),
  };
}
