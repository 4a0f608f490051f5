/** Errors of the service's own routes; the webhook route's errors are the library's (`persona-webhooks`). */
import { PersonaWebhookError } from 'persona-webhooks';

export class NotFoundError extends PersonaWebhookError {
  override readonly name = 'NotFoundError';
  constructor(what: string) {
    super('not_found', 404, `${what} was not found.`);
  }
}

export class UnauthorizedError extends PersonaWebhookError {
  override readonly name = 'UnauthorizedError';
  constructor() {
    super(
      'unauthorized',
      401,
      'A valid admin token is required: send "Authorization: Bearer <ADMIN_TOKEN>" (printed at start when generated).',
    );
  }
}

export class InvalidQueryError extends PersonaWebhookError {
  override readonly name = 'InvalidQueryError';
  constructor(detail: string) {
    super('invalid_request', 400, `The request is invalid: ${detail}.`);
  }
}

export class ConflictError extends PersonaWebhookError {
  override readonly name = 'ConflictError';
  constructor(message: string) {
    super('conflict', 409, message);
  }
}

/** A bug on our side: the answer leaks nothing; the log line carries the error's type and code. */
export class InternalError extends PersonaWebhookError {
  override readonly name = 'InternalError';
  constructor() {
    super(
      'internal_error',
      500,
      'The service failed unexpectedly; nothing was changed. Retry, or see the service log.',
    );
  }
}
