/**
 * The statements behind dashboard sign-out, one text for both stores (SQLite binds the `@name`
 * placeholders as they are; PostgreSQL renders them with `named-params.ts`). A row means "this session
 * id was signed out"; it is needed only until the session would have expired anyway, so each sign-out
 * also deletes the rows past their expiry and the table stays as small as the signed-out, still-valid
 * sessions.
 */

/** The statements for `table` (`service_session_revocations`, schema-qualified where needed). */
export function sessionRevocationStatements(table: string) {
  return {
    revoke: `INSERT INTO ${table} (session_id, expires_at_ms) VALUES (@id, @expires)
ON CONFLICT (session_id) DO NOTHING`,
    prune: `DELETE FROM ${table} WHERE expires_at_ms <= @now`,
    isRevoked: `SELECT 1 AS revoked FROM ${table} WHERE session_id = @id`,
  };
}

/** Parameters of `revoke`. */
export interface RevokeParams {
  id: string;
  expires: number;
}
