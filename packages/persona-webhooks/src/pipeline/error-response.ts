import { PersonaWebhookError } from '../errors.js';
import type { WebhookResponse } from './response.js';

/** Turns anything thrown into a response; unknown errors become a generic 500 that leaks nothing. */
export function errorToResponse(error: unknown): WebhookResponse {
  if (error instanceof PersonaWebhookError) return error.toResponse();
  return new PersonaWebhookError(
    'internal_error',
    500,
    'The receiver failed unexpectedly; the event was not acknowledged, so Persona will retry it.',
  ).toResponse();
}
