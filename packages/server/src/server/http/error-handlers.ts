/**
 * Fastify's error and not-found handlers, so that every error the app answers — ours, the framework's,
 * a bug — is JSON in our shape with a stable code, and a bug's answer leaks nothing (it is logged).
 */
import type { FastifyInstance } from 'fastify';
import { PayloadTooLargeError, PersonaWebhookError } from 'persona-webhooks';
import { type Logger, logUnhandledError } from '../observability/logger.js';
import { InternalError, InvalidQueryError, NotFoundError } from './http-errors.js';

export function answerErrorsInOurShape(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    const mapped = toServiceError(error);
    if (!mapped) {
      logUnhandledError(logger, error, request.routeOptions.url);
    }
    const response = (mapped ?? new InternalError()).toResponse();
    return reply.code(response.status).headers(response.headers).send(response.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const response = new NotFoundError(`Route ${request.method} ${request.url.split('?')[0]}`).toResponse();
    return reply.code(404).headers(response.headers).send(response.body);
  });
}

/** Maps framework errors to ours; returns null for a real bug (answered as a leak-free 500). */
function toServiceError(error: unknown): PersonaWebhookError | null {
  if (error instanceof PersonaWebhookError) return error;
  const code = (error as { code?: unknown }).code;
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PayloadTooLargeError(64 * 1024);
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return new InvalidQueryError(
      code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported content type' : 'malformed request',
    );
  }
  return null;
}
