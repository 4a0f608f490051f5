/** Errors of the service's own routes; the webhook route's errors are the library's (`persona-webhooks`). */
import { PersonaWebhookError, type WebhookResponse } from 'persona-webhooks';

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
      'A valid admin token is required: send "Authorization: Bearer <ADMIN_TOKEN>" (printed at start when generated), or sign in at /admin.',
    );
  }
}

/** Too many wrong tokens from one client: it must wait before trying again. */
/** A 401 for an app token that was revoked: the same code, and what to do about it. */
export class RevokedAppTokenError extends PersonaWebhookError {
  override readonly name = 'RevokedAppTokenError';
  constructor(tokenId: string) {
    super(
      'unauthorized',
      401,
      `App token ${tokenId} was revoked: create a new one with \`persona-webhooks tokens create --name <app>\` and give it to the application.`,
    );
  }
}

export class TooManyAttemptsError extends PersonaWebhookError {
  override readonly name = 'TooManyAttemptsError';
  constructor(readonly retryAfterSeconds: number) {
    super(
      'too_many_attempts',
      429,
      `Too many wrong admin tokens recently (from this address, or from all clients together). Wait ${retryAfterSeconds} s before trying another one; the ADMIN_TOKEN the service was started with is never refused.`,
      { retryAfterSeconds },
    );
  }

  override toResponse(): WebhookResponse {
    const response = super.toResponse();
    response.headers['retry-after'] = String(this.retryAfterSeconds);
    return response;
  }
}

/** A state-changing request carried the session cookie but did not come from the dashboard's own origin. */
export class ForbiddenOriginError extends PersonaWebhookError {
  override readonly name = 'ForbiddenOriginError';
  constructor() {
    super(
      'forbidden_origin',
      403,
      'This request changes data with the dashboard session cookie but does not come from the dashboard itself (Origin mismatch), so it was refused. Use the dashboard, or send "Authorization: Bearer <ADMIN_TOKEN>" from scripts.',
    );
  }
}

/** A valid app token was used on a route it does not open: app tokens only read KYC statuses. */
export class AppTokenForbiddenError extends PersonaWebhookError {
  override readonly name = 'AppTokenForbiddenError';
  constructor() {
    super(
      'forbidden',
      403,
      'App tokens are read-only: they open GET /api/kyc/:referenceId and GET /api/inquiries/:inquiryId only. Use the ADMIN_TOKEN for anything else.',
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
