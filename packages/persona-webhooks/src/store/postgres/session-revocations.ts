/**
 * Dashboard sign-outs on PostgreSQL: the shared statements (`../session-revocation-sql.ts`) rendered for
 * `$n` parameters. Every instance on the schema sees a sign-out as soon as it is committed.
 */
import { positional } from '../named-params.js';
import { type RevokeParams, sessionRevocationStatements } from '../session-revocation-sql.js';
import type { Connections } from './connections.js';
import type { Tables } from './tables.js';

/** Sign-out operations over one pool. */
export interface PostgresSessionRevocations {
  revoke(id: string, expiresAtMs: number, nowMs: number): Promise<void>;
  isRevoked(id: string): Promise<boolean>;
}

export function createPostgresSessionRevocations(
  connections: Connections,
  t: Tables,
): PostgresSessionRevocations {
  const sql = sessionRevocationStatements(t.sessionRevocations);
  const revoke = positional<RevokeParams>(sql.revoke);
  const prune = positional<{ now: number }>(sql.prune);
  const isRevoked = positional<{ id: string }>(sql.isRevoked);
  return {
    async revoke(id, expiresAtMs, nowMs) {
      // Two autocommitted statements: a sign-out must not wait on, or fail with, the pruning.
      await connections.use((client) =>
        client.query(revoke.text, revoke.values({ id, expires: expiresAtMs })),
      );
      await connections.use((client) => client.query(prune.text, prune.values({ now: nowMs })));
    },
    async isRevoked(id) {
      const result = await connections.use((client) =>
        client.query(isRevoked.text, isRevoked.values({ id })),
      );
      return result.rows.length > 0;
    },
  };
}
