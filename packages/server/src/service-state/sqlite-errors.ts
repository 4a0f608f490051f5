/**
 * Which SQLite failures of the service state become the library's `StoreUnavailableError` (503, as the
 * event store answers): every failure of the database itself (locked past the busy timeout, disk
 * full, file gone, connection closed). A constraint violation is the caller's data (a duplicate token
 * hash), not an outage, and is rethrown as it is.
 */
import { SchemaTooNewError, StoreUnavailableError } from 'persona-webhooks';

/** The `SQLITE_*` code of a better-sqlite3 error, read structurally. */
function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** True when the database failed, rather than the caller's data or our own code. */
export function isSqliteFailure(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = sqliteCode(error);
  if (code !== undefined) return !code.startsWith('SQLITE_CONSTRAINT');
  // better-sqlite3 throws a plain TypeError when a closed connection is used; opening a file in a
  // missing folder throws one with the path.
  return (
    error instanceof TypeError &&
    /database connection is not open|directory does not exist/i.test(error.message)
  );
}

/** Converts a database failure to `StoreUnavailableError` (cause kept); returns anything else as it is. */
export function toServiceStateError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || error instanceof SchemaTooNewError) return error;
  if (!isSqliteFailure(error)) return error;
  const code = sqliteCode(error) ?? 'SQLITE_CLOSED';
  return new StoreUnavailableError(`The service state in SQLite failed (${code}).`, { cause: error });
}
