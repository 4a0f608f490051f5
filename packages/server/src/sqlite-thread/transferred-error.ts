/**
 * Errors across the thread boundary. A structured clone keeps only an Error's message and stack, but the
 * service decides by class and code: `StoreUnavailableError` is a 503, `EventRejectedError` quarantines
 * the event, `SchemaTooNewError` stops the start. So the class name and own fields travel, and the main
 * thread rebuilds an instance of the same library class.
 */
import {
  EventRejectedError,
  InvalidCursorError,
  PersonaWebhookError,
  SchemaTooNewError,
  StoreUnavailableError,
} from 'persona-webhooks';

/** An error as it crosses to the other thread. */
export interface TransferredError {
  className: string;
  message: string;
  stack: string | undefined;
  /** Own fields that clone (`code`, `status`, `details`, …). */
  fields: Record<string, unknown>;
  /** The cause's class and code only: enough for a log line, and no data can ride along. */
  cause: { name: string; code: unknown } | undefined;
}

// The errors a store throws; anything else comes back as the closest built-in class.
const CLASSES: ReadonlyMap<string, new (...args: never[]) => Error> = new Map<
  string,
  new (
    ...args: never[]
  ) => Error
>([
  ['StoreUnavailableError', StoreUnavailableError],
  ['EventRejectedError', EventRejectedError],
  ['SchemaTooNewError', SchemaTooNewError],
  ['InvalidCursorError', InvalidCursorError],
  ['PersonaWebhookError', PersonaWebhookError],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
]);

/** Packs an error for `postMessage`. */
export function transferError(error: unknown): TransferredError {
  if (!(error instanceof Error)) {
    return { className: 'Error', message: String(error), stack: undefined, fields: {}, cause: undefined };
  }
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    try {
      fields[key] = structuredClone((error as unknown as Record<string, unknown>)[key]);
    } catch {
      // A field that does not clone stays behind.
    }
  }
  const cause = error.cause as { name?: unknown; code?: unknown } | undefined;
  return {
    className: error.constructor.name,
    message: error.message,
    stack: error.stack,
    fields,
    cause:
      cause && typeof cause === 'object'
        ? { name: String(cause.name ?? 'Error'), code: cause.code }
        : undefined,
  };
}

/** Rebuilds the error on this side: same library class (so `instanceof` and `toResponse()` work), same fields. */
export function receiveError(transferred: TransferredError): Error {
  const Class = CLASSES.get(transferred.className) ?? Error;
  const error = Object.create(Class.prototype) as Error;
  Object.defineProperty(error, 'message', { value: transferred.message, writable: true, configurable: true });
  Object.defineProperty(error, 'stack', { value: transferred.stack, writable: true, configurable: true });
  if (transferred.cause) {
    Object.defineProperty(error, 'cause', { value: transferred.cause, writable: true, configurable: true });
  }
  Object.assign(error, transferred.fields);
  return error;
}
