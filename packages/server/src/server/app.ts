/**
 * The HTTP surface of the service: the webhook receiver, health, readiness, metrics and the admin API,
 * on one Fastify instance. Every error answers JSON with a stable code.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Store, WebhookPipeline } from 'persona-webhooks';
import { PayloadTooLargeError, PersonaWebhookError, StoreUnavailableError } from 'persona-webhooks';
import { fastifyPersonaWebhooks } from 'persona-webhooks/fastify';
import type { ReconcileStatus } from '../reconcile/reconcile-service.js';
import { registerAdminRoutes } from './admin-routes.js';
import { InternalError, InvalidQueryError, NotFoundError } from './http-errors.js';
import type { Logger } from './logger.js';
import type { ServiceMetrics } from './metrics.js';

export const WEBHOOK_PATH = '/webhooks/persona';
const READY_TIMEOUT_MS = 2_000;

export interface AppOptions {
  pipeline: WebhookPipeline;
  store: Store;
  metrics: ServiceMetrics;
  logger: Logger;
  adminToken: string;
  /** Reconciliation's status for `GET /api/reconcile`; absent: reported as off. */
  reconcile?: ReconcileStatus;
}

export function buildApp(options: AppOptions): FastifyInstance {
  const { store, metrics, logger } = options;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request is written below, without query strings or headers.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const mapped = toServiceError(error);
    if (!mapped) {
      // Type and code only: an error message can quote request data.
      const { name, code } = error as { name?: string; code?: string };
      logger.error({ err: { type: name, code }, route: request.routeOptions.url }, 'unhandled error');
    }
    const response = (mapped ?? new InternalError()).toResponse();
    return reply.code(response.status).headers(response.headers).send(response.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const response = new NotFoundError(`Route ${request.method} ${request.url.split('?')[0]}`).toResponse();
    return reply.code(404).headers(response.headers).send(response.body);
  });

  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === WEBHOOK_PATH) return; // the pipeline logs its own line
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: reply.statusCode,
        durationMs: round(reply.elapsedTime),
      },
      'request',
    );
  });

  app.register(fastifyPersonaWebhooks, { pipeline: options.pipeline, path: WEBHOOK_PATH });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    try {
      await withTimeout(store.ping(), READY_TIMEOUT_MS);
      return { status: 'ready' };
    } catch {
      const response = new StoreUnavailableError(
        'The event store does not answer; this instance cannot accept events.',
      ).toResponse();
      return reply.code(503).headers(response.headers).send(response.body);
    }
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  registerAdminRoutes(app, {
    store,
    adminToken: options.adminToken,
    ...(options.reconcile ? { reconcile: options.reconcile } : {}),
  });
  return app;
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

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
