/**
 * Maps driver failures to the one error the rest of the system understands. Every SQLite error
 * (SQLITE_BUSY, SQLITE_READONLY, SQLITE_FULL, SQLITE_IOERR, …) and "connection not open" means "this
 * store cannot answer right now": the pipeline answers 503 so Persona retries. Anything else is a bug
 * and is rethrown as is, so it is not disguised as an outage.
 */
import { StoreUnavailableError } from '../../errors.js';

/** True for errors that mean the database (not our code) failed. */
export function isDatabaseFailure(error: unknown): boolean {
  if (sqliteErrorCode(error) !== undefined) return true;
  // better-sqlite3 throws a plain TypeError when a closed connection is used.
  return error instanceof TypeError && /database connection is not open/i.test(error.message);
}

/** Converts a database failure to `StoreUnavailableError`; returns other errors unchanged. */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isDatabaseFailure(error)) return error;
  const code = sqliteErrorCode(error) ?? 'SQLITE_CLOSED';
  return new StoreUnavailableError(`The SQLite event store failed (${code}); nothing was written.`, {
    cause: error,
  });
}

/**
 * Runs synchronous database work and settles a promise with it, so every store method rejects (never
 * throws synchronously) and always with `StoreUnavailableError` for database failures.
 */
export function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(toStoreError(error));
  }
}

/** The `SQLITE_*` code of a driver error (better-sqlite3's `SqliteError`), read structurally. */
export function sqliteErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}
