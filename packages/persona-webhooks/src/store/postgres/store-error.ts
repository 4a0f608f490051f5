/**
 * Which driver errors mean "the database cannot answer right now". Those become `StoreUnavailableError`
 * (503: Persona retries, the worker backs off); anything else is a bug and is rethrown unchanged.
 *
 * What node-postgres (pg 8.x, pg-pool 3.x) raises when the connection is the problem:
 * - Node's socket errors, with `code` (ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT, ENOTFOUND…), or an
 *   `AggregateError` holding several of them when a host name resolved to more than one address;
 * - the server's SQLSTATE in `code` (57P01 admin shutdown, 08xxx connection exceptions, 53300 too many
 *   connections…);
 * - plain `Error`s with no code, recognised by their message: `Connection terminated unexpectedly`
 *   (the socket closed under a client), `Connection terminated` (a client we destroyed mid-query),
 *   `Connection terminated due to connection timeout` (connectionTimeoutMillis while connecting),
 *   `timeout exceeded when trying to connect` (connectionTimeoutMillis while waiting for a pooled
 *   connection), `Client has encountered a connection error and is not queryable`, `Client was closed
 *   and is not queryable`, `Query read timeout` (query_timeout), `timeout expired` (a lone client's
 *   connect timeout) and `Cannot use a pool after calling end on the pool` (the owner already ended it).
 */
import { EventRejectedError, StoreUnavailableError } from '../../errors.js';

/** Socket-level codes from Node. */
const SOCKET_CODES = new Set([
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

/** pg's own connection errors, which carry no code. */
const CONNECTION_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Query read timeout',
  'timeout expired',
  'Cannot use a pool after calling end on the pool',
]);

/** SQLSTATEs after which the session is gone: admin/crash shutdown, cannot connect now. Class 08 by prefix. */
const SESSION_LOST_CODES = new Set(['57P01', '57P02', '57P03']);

/**
 * SQLSTATEs that describe the server's state, not the query: statement timeout, lock/serialisation
 * conflicts, read-only standby. Class 53 (insufficient resources) is matched by prefix.
 */
const BUSY_CODES = new Set(['57014', '55P03', '40001', '40P01', '25006']);

/**
 * True when `error` says the connection itself failed (lost, refused, timed out), so the connection it
 * came from must be destroyed rather than returned to the pool.
 */
export function isConnectionLoss(error: unknown): boolean {
  return someCause(error, (cause) => {
    const code = errorCode(cause);
    if (code !== undefined) {
      return SOCKET_CODES.has(code) || SESSION_LOST_CODES.has(code) || code.startsWith('08');
    }
    return cause instanceof Error && CONNECTION_MESSAGES.has(cause.message);
  });
}

/** True when `error` says the database is unreachable or cannot take the work right now. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError || isConnectionLoss(error)) return true;
  const code = errorCode(error);
  return code !== undefined && (BUSY_CODES.has(code) || code.startsWith('53'));
}

/**
 * Converts an unavailability error to `StoreUnavailableError` (cause kept); returns others unchanged.
 * The message says what the failure means for the operation: a read reports that nothing could be read.
 */
export function toStoreError(error: unknown, operation: 'read' | 'write' = 'write'): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error;
  const consequence =
    operation === 'write' ? 'nothing was written, so Persona will retry' : 'nothing could be read';
  return new StoreUnavailableError(
    `The PostgreSQL event store is unavailable (${describe(error)}); ${consequence}.`,
    {
      cause: error,
    },
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

/**
 * True when PostgreSQL refused a row for what it holds — class 22 (data exception: an invalid byte
 * sequence, a value out of range), 23 (integrity) or 54 (a key too long for its index) — rather than
 * for its own state. Such an error concerns one event of a batch, not the database.
 */
export function isRowDataError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && /^(22|23|54)/.test(code);
}

/** What an ingest caller sees: a row the database refused is that event's own; anything else is a 503. */
export function toIngestError(error: unknown): unknown {
  return isRowDataError(error) ? new EventRejectedError(error) : asUnavailable(error);
}

/** The rejection of a call whose database did not answer in time (e.g. a half-open connection). */
export function timedOutError(ms: number): StoreUnavailableError {
  return new StoreUnavailableError(
    `PostgreSQL did not answer within ${ms} ms; Persona will retry the event.`,
  );
}

/** The rejection of every call made after `close()`. */
export function closedStoreError(): StoreUnavailableError {
  return new StoreUnavailableError('The PostgreSQL event store is closed.');
}

/** The SQLSTATE or socket code of `error`, if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  return typeof code === 'string' ? code : undefined;
}

/** A code, or for pg's code-less connection errors a fixed label: never a message that could quote data. */
function describe(error: unknown): string {
  let label: string | undefined;
  someCause(error, (cause) => {
    label =
      errorCode(cause) ??
      (cause instanceof Error && CONNECTION_MESSAGES.has(cause.message) ? cause.message : undefined);
    return label !== undefined;
  });
  return label ?? 'connection error';
}

/** Tests `error`, the errors of an AggregateError and the chain of `cause`s (a few levels deep). */
function someCause(error: unknown, test: (cause: unknown) => boolean, depth = 0): boolean {
  if (depth > 4 || error === undefined || error === null) return false;
  if (test(error)) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => someCause(inner, test, depth + 1))) {
    return true;
  }
  return error instanceof Error && someCause(error.cause, test, depth + 1);
}
