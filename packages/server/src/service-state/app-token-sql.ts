/**
 * The app tokens' statements, one text for both stores (SQLite binds the `@name` placeholders as they
 * are; PostgreSQL renders them with `named-params.ts`), and the row they select. Only hashes are ever
 * written or compared: a request's token is found through the unique index on its SHA-256, so how
 * long the lookup takes depends on the hash, never on how much of the token was right.
 */
import type { AppToken } from './app-tokens.js';

/** The columns every read returns, in `AppTokenRow`'s names (the hash is never read back). */
const COLUMNS = 'id, name, created_at_ms, last_used_at_ms, revoked_at_ms';

/** A row as both stores select it, times already numbers. */
export interface AppTokenRow {
  id: string;
  name: string;
  created_at_ms: number;
  last_used_at_ms: number | null;
  revoked_at_ms: number | null;
}

/** The statements for `table` (`service_app_tokens`, schema-qualified where needed). */
export function appTokenStatements(table: string) {
  return {
    insert: `INSERT INTO ${table} (id, name, token_hash, created_at_ms)
VALUES (@id, @name, @tokenHash, @createdAtMs)`,
    list: `SELECT ${COLUMNS} FROM ${table} ORDER BY created_at_ms, id`,
    find: `SELECT ${COLUMNS} FROM ${table} WHERE token_hash = @tokenHash`,
    // Concurrent requests on several instances may touch at once: the newest time wins.
    touch: `UPDATE ${table} SET last_used_at_ms = @now
WHERE id = @id AND (last_used_at_ms IS NULL OR last_used_at_ms < @now)`,
    revoke: `UPDATE ${table} SET revoked_at_ms = @now WHERE id = @id AND revoked_at_ms IS NULL`,
    exists: `SELECT id FROM ${table} WHERE id = @id`,
  };
}

/** A selected row as the `AppToken` the store returns. */
export function toAppToken(row: AppTokenRow): AppToken {
  return {
    id: row.id,
    name: row.name,
    createdAtMs: row.created_at_ms,
    lastUsedAtMs: row.last_used_at_ms,
    revokedAtMs: row.revoked_at_ms,
  };
}
