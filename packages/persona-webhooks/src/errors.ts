/**
 * Every error class this package throws, in one module, exported from every entry point that can
 * throw them. Each carries a stable `code` (safe to match on, safe to count in metrics) and the HTTP
 * `status` it maps to, and renders its own JSON body, so the pipeline and the server map errors to
 * responses without a switch.
 */
import { jsonResponse, type WebhookResponse } from './pipeline/response.js';

export type { WebhookResponse } from './pipeline/response.js';

/**
 * Base class of every error this package answers with.
 *
 * @example
 * throw new PersonaWebhookError('store_unavailable', 503, 'The event store cannot take writes; Persona will retry.');
 */
export class PersonaWebhookError extends Error {
  override readonly name: string = 'PersonaWebhookError';

  constructor(
    /** Stable machine-readable code, e.g. `invalid_signature`. Never changes between releases. */
    readonly code: string,
    /** HTTP status this error is answered with. */
    readonly status: number,
    message: string,
    /** Extra fields rendered next to `code` and `message` (never secrets or payload data). */
    readonly details: Readonly<Record<string, string | number>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** `{"error":{"code":…,"message":…}}` with this error's status. */
  toResponse(): WebhookResponse {
    return jsonResponse(this.status, { error: { code: this.code, ...this.details, message: this.message } });
  }
}

/** The body is larger than the configured limit (checked while reading, before buffering it all). */
export class PayloadTooLargeError extends PersonaWebhookError {
  override readonly name = 'PayloadTooLargeError';
  constructor(limitBytes: number) {
    super(
      'payload_too_large',
      413,
      `The request body exceeds the ${limitBytes}-byte limit. Raise maxBodyBytes (PERSONA_WEBHOOK_MAX_BODY_BYTES) if Persona legitimately sends larger events.`,
      { limitBytes },
    );
  }
}

/**
 * The client hung up, or its body stream broke, before the body was read: nothing was stored and no
 * answer reaches it. Counted as `aborted`, never as a server error.
 */
export class RequestAbortedError extends PersonaWebhookError {
  override readonly name = 'RequestAbortedError';
  constructor(options?: { cause?: unknown }) {
    super(
      'request_aborted',
      400,
      'The request body ended before it was complete; nothing was stored.',
      {},
      options,
    );
  }
}

/**
 * Too many request bodies are being read at once (`maxConcurrentBodies`): refused before reading, so slow
 * or hostile clients cannot make the receiver buffer without bound. 503, so Persona retries.
 */
export class ReceiverBusyError extends PersonaWebhookError {
  override readonly name = 'ReceiverBusyError';
  constructor(limit: number) {
    super(
      'receiver_busy',
      503,
      `${limit} request bodies are already being read; try again shortly (Persona retries by itself).`,
      { limit },
    );
  }

  override toResponse() {
    const response = super.toResponse();
    response.headers['retry-after'] = '1';
    return response;
  }
}

/** The event store cannot take the write: Persona must retry, so this is a 503, never a 2xx. */
export class StoreUnavailableError extends PersonaWebhookError {
  override readonly name = 'StoreUnavailableError';
  constructor(
    message = 'The event store is unavailable, so the event was not stored; Persona will retry it.',
    options?: { cause?: unknown },
  ) {
    super('store_unavailable', 503, message, {}, options);
  }
}

/**
 * The store refused one event's row for what it holds (a data error, not an outage), while its batch
 * neighbours were stored. The pipeline keeps such an event as quarantined (202, dead, with the reason)
 * instead of answering 503 forever; it surfaces only if even that fails.
 */
export class EventRejectedError extends PersonaWebhookError {
  override readonly name = 'EventRejectedError';
  constructor(cause: unknown) {
    super(
      'event_rejected',
      500,
      `The event store refused this event's row (${errorCodeOf(cause)}); it was not stored.`,
      {},
      { cause },
    );
  }
}

/** A driver error's `code`, for messages: never its text, which may quote the data. */
function errorCodeOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'string' && code.length > 0 ? code.slice(0, 40) : 'no code';
}

/**
 * The database was migrated by a newer release than this one. Nothing runs on it: old code on a newer
 * schema can write rows the newer release misreads.
 */
export class SchemaTooNewError extends PersonaWebhookError {
  override readonly name = 'SchemaTooNewError';
  constructor(
    readonly databaseVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      'schema_too_new',
      503,
      `The database schema is at version ${databaseVersion}, but this release of persona-webhooks knows versions up to ${codeVersion}: a newer release migrated it. Run that release (or newer), or restore the backup taken before the upgrade.`,
      { databaseVersion, codeVersion },
    );
  }
}

/** Any signature check failed; `reason` says which (missing_header, malformed_header, …). */
export class InvalidSignatureError extends PersonaWebhookError {
  override readonly name = 'InvalidSignatureError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super('invalid_signature', 401, message, { reason });
  }
}

/** Persona only ever POSTs; anything else is answered 405 with `Allow: POST`. */
export class MethodNotAllowedError extends PersonaWebhookError {
  override readonly name = 'MethodNotAllowedError';
  constructor(method: string) {
    super(
      'method_not_allowed',
      405,
      `Method ${method.slice(0, 16)} is not allowed here; Persona delivers webhooks with POST.`,
    );
  }

  override toResponse() {
    const response = super.toResponse();
    response.headers['allow'] = 'POST';
    return response;
  }
}

/** Correctly signed, but not a Persona event envelope (only answered when there is no store to keep it). */
export class InvalidEventError extends PersonaWebhookError {
  override readonly name = 'InvalidEventError';
  constructor(reason: string) {
    super('invalid_event', 400, `The body is correctly signed but is not a Persona event: ${reason}.`);
  }
}

/** A body parser consumed the request before us, so the exact signed bytes are gone. */
export class RawBodyUnavailableError extends PersonaWebhookError {
  override readonly name = 'RawBodyUnavailableError';
  constructor() {
    super(
      'raw_body_unavailable',
      500,
      'The request body was already parsed by another middleware, so the exact bytes Persona signed are gone. ' +
        'Mount the Persona webhook middleware before express.json(), or use express.raw({ type: "*/*" }) on this route, or keep the raw bytes on req.rawBody.',
    );
  }
}

/**
 * One or more handlers failed for an event. The message never contains the handlers' own messages
 * (they may quote payload data); the underlying errors are on `errors` for the caller to log with care.
 * The message is what the inline pipeline answers Persona (which then retries); `summary` says only what
 * failed, for callers such as the worker where Persona has already been answered.
 *
 * @example
 * try { await dispatcher.dispatch(event); } catch (error) {
 *   if (error instanceof HandlerFailedError) for (const cause of error.errors) report(cause);
 * }
 */
export class HandlerFailedError extends PersonaWebhookError {
  override readonly name = 'HandlerFailedError';
  /** `1 of 2 event handler(s) failed`: what happened, without what happens next. */
  readonly summary: string;

  constructor(
    /** What each failing handler threw or rejected with, in registration order. */
    readonly errors: unknown[],
    handlerCount: number,
  ) {
    const summary = `${errors.length} of ${handlerCount} event handler(s) failed`;
    super('handler_failed', 500, `${summary}, so the event was not acknowledged; Persona will retry it.`, {
      failedHandlers: errors.length,
    });
    this.summary = summary;
  }
}

/** A cursor that this store did not issue (tampered with, truncated, or from another version). */
export class InvalidCursorError extends PersonaWebhookError {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('invalid_cursor', 400, 'The cursor is not one this server issued; start again without a cursor.');
  }
}
