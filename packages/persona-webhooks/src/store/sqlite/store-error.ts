/**
 * Which SQLite failures mean "this store cannot answer right now" (503: Persona retries, the worker
 * backs off, `/readyz` turns red) and which are bugs or data errors (rethrown as they are, so a missing
 * table is not disguised as an outage). Classified by SQLite's primary result code; extended codes
 * (`SQLITE_IOERR_FSYNC`, `SQLITE_READONLY_DBMOVED`, …) share their primary code's class.
 */
import { StoreUnavailableError } from '../../errors.js';

/** The disk or the file is the problem: retrying later can succeed, nothing about the query is wrong. */
const UNAVAILABLE = new Set([
  'SQLITE_BUSY', // another process holds the write lock past the busy timeout
  'SQLITE_LOCKED',
  'SQLITE_FULL', // disk full
  'SQLITE_IOERR', // I/O error, fsync failure
  'SQLITE_READONLY', // file or directory not writable, or the file was moved
  'SQLITE_CANTOPEN',
  'SQLITE_PROTOCOL',
  'SQLITE_NOTADB', // the file at the path is not a database (replaced)
  'SQLITE_CORRUPT',
  'SQLITE_NOLFS',
  'SQLITE_AUTH',
]);

/**
 * After these the connection itself is suspect (opened read-only, its file gone or replaced): it is
 * closed so the next call opens the file again and sees it as it is now.
 */
const REOPEN = new Set([
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT',
]);

/** True for errors that mean the database cannot answer now (not that our query or data is wrong). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = primaryCode(error);
  if (code !== undefined) return UNAVAILABLE.has(code);
  // better-sqlite3 throws a plain TypeError when a closed connection is used.
  return error instanceof TypeError && /database connection is not open/i.test(error.message);
}

/** True when the connection should be closed and opened again before the next call. */
export function needsReopen(error: unknown): boolean {
  const code = primaryCode(error);
  return code !== undefined && REOPEN.has(code);
}

/** Converts an unavailability to `StoreUnavailableError` (cause kept); returns other errors unchanged. */
export function toStoreError(error: unknown, operation: 'read' | 'write' = 'write'): unknown {
  if (error instanceof StoreUnavailableError || !isDatabaseUnavailable(error)) return error;
  const code = sqliteErrorCode(error) ?? 'SQLITE_CLOSED';
  const consequence = operation === 'write' ? 'nothing was written' : 'nothing could be read';
  return new StoreUnavailableError(`The SQLite event store failed (${code}); ${consequence}.`, {
    cause: error,
  });
}

/**
 * Runs synchronous database work and settles a promise with it, so every store method rejects (never
 * throws synchronously) and always with `StoreUnavailableError` for unavailability.
 */
export function settle<T>(work: () => T, operation: 'read' | 'write' = 'write'): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(toStoreError(error, operation));
  }
}

/** The `SQLITE_*` code of a driver error (better-sqlite3's `SqliteError`), read structurally. */
export function sqliteErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** `SQLITE_IOERR_FSYNC` → `SQLITE_IOERR`. */
function primaryCode(error: unknown): string | undefined {
  const code = sqliteErrorCode(error);
  if (code === undefined) return undefined;
  const second = code.indexOf('_', 'SQLITE_'.length);
  return second === -1 ? code : code.slice(0, second);
}
