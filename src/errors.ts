/**
 * One error type for everything the receiver can answer with. Each error carries a stable `code`
 * (safe to match on, safe to count in metrics) and the HTTP `status` it maps to, and renders its own
 * JSON body, so the pipeline and the server map errors to responses without a switch.
 */

/** The response shape every adapter writes: status, headers and an already-serialised JSON body. */
export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
});

/** Builds a JSON response; the one place that serialises response bodies. */
export function jsonResponse(status: number, payload: unknown): WebhookResponse {
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(payload) };
}

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

/** Turns anything thrown into a response; unknown errors become a generic 500 that leaks nothing. */
export function errorToResponse(error: unknown): WebhookResponse {
  if (error instanceof PersonaWebhookError) return error.toResponse();
  return new PersonaWebhookError(
    'internal_error',
    500,
    'The receiver failed unexpectedly; the event was not acknowledged, so Persona will retry it.',
  ).toResponse();
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
