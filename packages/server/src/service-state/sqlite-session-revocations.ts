/** Dashboard sign-outs in SQLite: the shared statements (`session-revocation-sql.ts`) on one connection. */
import type Database from 'better-sqlite3';
import { type RevokeParams, sessionRevocationStatements } from './session-revocation-sql.js';
import type { PrepareCached } from './sqlite-statements.js';
import { SERVICE_TABLES } from './table-names.js';

const SQL = sessionRevocationStatements(SERVICE_TABLES.sessionRevocations);

/** Sign-out operations bound to one connection. */
export interface SqliteSessionRevocations {
  revoke(id: string, expiresAtMs: number, nowMs: number): void;
  isRevoked(id: string): boolean;
}

/** Binds the sign-out operations to one connection (statements prepared on first use). */
export function createSqliteSessionRevocations(
  db: Database.Database,
  prepare: PrepareCached,
): SqliteSessionRevocations {
  // One transaction: the sign-out and the pruning of expired rows commit together.
  const revoke = db.transaction((params: RevokeParams, nowMs: number) => {
    prepare(SQL.revoke).run(params);
    prepare(SQL.prune).run({ now: nowMs });
  });
  return {
    revoke: (id, expiresAtMs, nowMs) => revoke.immediate({ id, expires: expiresAtMs }, nowMs),
    isRevoked: (id) => prepare(SQL.isRevoked).get({ id }) !== undefined,
  };
}
