/**
 * Which PostgreSQL failures of the service state become the library's `StoreUnavailableError` (503,
 * as the event store answers): every failure of the server or the connection (lost, refused, timed
 * out, the pool ended, a statement timeout). An integrity violation (SQLSTATE class 23, e.g. a
 * duplicate token hash) is the caller's data, not an outage, and is rethrown as it is.
 */
import { SchemaTooNewError, StoreUnavailableError } from 'persona-webhooks';

/** The SQLSTATE or socket code of a pg error, read structurally. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  return typeof code === 'string' ? code : undefined;
}

/** Converts a database failure to `StoreUnavailableError` (cause kept); returns others as they are. */
export function toServiceStateError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || error instanceof SchemaTooNewError) return error;
  const code = errorCode(error);
  if (code?.startsWith('23')) return error;
  // pg's own connection errors carry no code; everything pg rejects with is about the database.
  return new StoreUnavailableError(`The service state in PostgreSQL failed (${code ?? 'connection'}).`, {
    cause: error,
  });
}
