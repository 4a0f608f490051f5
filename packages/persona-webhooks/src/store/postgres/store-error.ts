/**
 * Which driver errors mean "the database cannot answer right now". Those become `StoreUnavailableError`
 * (503: Persona retries, the worker backs off); anything else is a bug and is rethrown unchanged.
 */
import { StoreUnavailableError } from '../../errors.js';

/** Client-side codes set by the `postgres` driver or Node's socket layer. */
const CLIENT_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that describe the server's state, not the query: admin/crash shutdown, cannot connect now,
 * too many connections, out of resources, read-only standby, statement timeout, lock/serialisation
 * conflicts. Class 08 (connection exception) and 53 (insufficient resources) are matched by prefix.
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '57014', '55P03', '40001', '40P01', '25006']);

/** True when `error` says the database is unreachable or cannot take the work right now. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = errorCode(error);
  if (code === undefined) return false;
  return CLIENT_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08') || code.startsWith('53');
}

/** Converts an unavailability error to `StoreUnavailableError` (cause kept); returns others unchanged. */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error;
  return new StoreUnavailableError(
    `The PostgreSQL event store is unavailable (${errorCode(error)}); nothing was written, so Persona will retry.`,
    { cause: error },
  );
}

/**
 * Always a `StoreUnavailableError`: for ingest, whatever failed, nothing of the batch may be
 * acknowledged. A 503 makes Persona retry, and a retry of a row that did commit is answered `duplicate`.
 */
export function asUnavailable(error: unknown): StoreUnavailableError {
  const mapped = toStoreError(error);
  if (mapped instanceof StoreUnavailableError) return mapped;
  return new StoreUnavailableError('The PostgreSQL event store rejected the write; Persona will retry it.', {
    cause: error,
  });
}

/** The rejection of an ingest whose database did not answer in time (e.g. a half-open connection). */
export function timedOutError(ms: number): StoreUnavailableError {
  return new StoreUnavailableError(
    `PostgreSQL did not answer within ${ms} ms; Persona will retry the event.`,
  );
}

/** The rejection of every call made after `close()`. */
export function closedStoreError(): StoreUnavailableError {
  return new StoreUnavailableError('The PostgreSQL event store is closed.');
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  return typeof code === 'string' ? code : undefined;
}
