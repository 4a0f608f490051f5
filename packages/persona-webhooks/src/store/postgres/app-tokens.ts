/**
 * Applications' read-only API tokens on PostgreSQL: the shared statements (`../app-token-sql.ts`)
 * rendered for `$n` parameters, each one autocommitted statement.
 */
import { type AppTokenRow, appTokenStatements, toAppToken } from '../app-token-sql.js';
import { positional } from '../named-params.js';
import type { AppToken, NewAppToken, RevokeAppTokenOutcome } from '../store.js';
import type { Connections } from './connections.js';
import { type RowValues, rowValues } from './row-values.js';
import type { Tables } from './tables.js';

/** App token operations over one pool. */
export interface PostgresAppTokens {
  create(token: NewAppToken): Promise<void>;
  list(): Promise<AppToken[]>;
  find(tokenHash: string): Promise<AppToken | null>;
  touch(id: string, nowMs: number): Promise<void>;
  revoke(id: string, nowMs: number): Promise<RevokeAppTokenOutcome>;
}

function tokenRow(row: RowValues): AppTokenRow {
  return {
    id: row.text('id'),
    name: row.text('name'),
    created_at_ms: row.int('created_at_ms'),
    last_used_at_ms: row.intOrNull('last_used_at_ms'),
    revoked_at_ms: row.intOrNull('revoked_at_ms'),
  };
}

/** The app token operations over the store's pool, on its schema's `app_tokens` table. */
export function createPostgresAppTokens(connections: Connections, t: Tables): PostgresAppTokens {
  const sql = appTokenStatements(t.appTokens);
  const insert = positional<NewAppToken>(sql.insert);
  const find = positional<{ tokenHash: string }>(sql.find);
  const touch = positional<{ id: string; now: number }>(sql.touch);
  const revoke = positional<{ id: string; now: number }>(sql.revoke);
  const exists = positional<{ id: string }>(sql.exists);
  const query = (text: string, values: unknown[] = []) =>
    connections.use((client) => client.query(text, values));

  return {
    async create(token) {
      await query(insert.text, insert.values(token));
    },
    async list() {
      return rowValues((await query(sql.list)).rows).map((row) => toAppToken(tokenRow(row)));
    },
    async find(tokenHash) {
      const [row] = rowValues((await query(find.text, find.values({ tokenHash }))).rows);
      return row ? toAppToken(tokenRow(row)) : null;
    },
    async touch(id, nowMs) {
      await query(touch.text, touch.values({ id, now: nowMs }));
    },
    async revoke(id, nowMs) {
      // A revocation is final, so "not revoked now" can be told apart afterwards without a race.
      if (((await query(revoke.text, revoke.values({ id, now: nowMs }))).rowCount ?? 0) > 0) return 'revoked';
      const found = (await query(exists.text, exists.values({ id }))).rows.length > 0;
      return found ? 'already_revoked' : 'not_found';
    },
  };
}
