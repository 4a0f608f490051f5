/**
 * Applications' read-only API tokens on PostgreSQL: the shared statements (`app-token-sql.ts`)
 * rendered for `$n` parameters, each one autocommitted statement on the service's pool.
 */
import type pg from 'pg';
import { type AppTokenRow, appTokenStatements, toAppToken } from './app-token-sql.js';
import type { AppTokenStore, NewAppToken } from './app-tokens.js';
import { positional } from './named-params.js';
import { int, intOrNull } from './postgres-rows.js';

function tokenRow(row: Record<string, unknown>): AppTokenRow {
  return {
    id: String(row['id']),
    name: String(row['name']),
    created_at_ms: int(row['created_at_ms']),
    last_used_at_ms: intOrNull(row['last_used_at_ms']),
    revoked_at_ms: intOrNull(row['revoked_at_ms']),
  };
}

/** The app token operations over `pool`, on the (schema-qualified) `table`. */
export function createPostgresAppTokens(pool: pg.Pool, table: string): AppTokenStore {
  const sql = appTokenStatements(table);
  const insert = positional<NewAppToken>(sql.insert);
  const find = positional<{ tokenHash: string }>(sql.find);
  const touch = positional<{ id: string; now: number }>(sql.touch);
  const revoke = positional<{ id: string; now: number }>(sql.revoke);
  const exists = positional<{ id: string }>(sql.exists);

  return {
    async createAppToken(token) {
      await pool.query(insert.text, insert.values(token));
    },
    async listAppTokens() {
      return (await pool.query(sql.list)).rows.map((row) => toAppToken(tokenRow(row)));
    },
    async findAppToken(tokenHash) {
      const [row] = (await pool.query(find.text, find.values({ tokenHash }))).rows;
      return row ? toAppToken(tokenRow(row)) : null;
    },
    async touchAppToken(id, nowMs) {
      await pool.query(touch.text, touch.values({ id, now: nowMs }));
    },
    async revokeAppToken(id, nowMs) {
      // A revocation is final, so "not revoked now" can be told apart afterwards without a race.
      if (((await pool.query(revoke.text, revoke.values({ id, now: nowMs }))).rowCount ?? 0) > 0) {
        return 'revoked';
      }
      const found = (await pool.query(exists.text, exists.values({ id }))).rows.length > 0;
      return found ? 'already_revoked' : 'not_found';
    },
  };
}
