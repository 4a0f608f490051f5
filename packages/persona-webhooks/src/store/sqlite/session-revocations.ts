/** Dashboard sign-outs in SQLite: the shared statements (`../session-revocation-sql.ts`) on one connection. */
import { type RevokeParams, sessionRevocationStatements } from '../session-revocation-sql.js';
import type { SqliteDatabase } from './driver.js';
import type { PrepareCached } from './statement-cache.js';

const SQL = sessionRevocationStatements('session_revocations');

/** Sign-out operations bound to one connection. */
export interface SqliteSessionRevocations {
  revoke(id: string, expiresAtMs: number, nowMs: number): void;
  isRevoked(id: string): boolean;
}

export function createSqliteSessionRevocations(
  db: SqliteDatabase,
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
