/**
 * Dashboard sign-outs on PostgreSQL: the shared statements (`session-revocation-sql.ts`) rendered for
 * `$n` parameters. Every instance on the schema sees a sign-out as soon as it is committed.
 */
import type pg from 'pg';
import { positional } from './named-params.js';
import { type RevokeParams, sessionRevocationStatements } from './session-revocation-sql.js';
import type { SessionRevocationStore } from './session-revocations.js';

/** The sign-out operations over `pool`, on the (schema-qualified) `table`. */
export function createPostgresSessionRevocations(pool: pg.Pool, table: string): SessionRevocationStore {
  const sql = sessionRevocationStatements(table);
  const revoke = positional<RevokeParams>(sql.revoke);
  const prune = positional<{ now: number }>(sql.prune);
  const isRevoked = positional<{ id: string }>(sql.isRevoked);
  return {
    async revokeSession(id, expiresAtMs, nowMs) {
      // Two autocommitted statements: a sign-out must not wait on, or fail with, the pruning.
      await pool.query(revoke.text, revoke.values({ id, expires: expiresAtMs }));
      await pool.query(prune.text, prune.values({ now: nowMs }));
    },
    async isSessionRevoked(id) {
      return (await pool.query(isRevoked.text, isRevoked.values({ id }))).rows.length > 0;
    },
  };
}
