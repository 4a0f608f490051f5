/**
 * The routes an operator's tools call, open without a token: liveness, readiness (the store answers),
 * Prometheus metrics and this service's OpenAPI document.
 */
import type { FastifyInstance } from 'fastify';
import { type Store, StoreUnavailableError } from 'persona-webhooks';
import { healthAnswer, metricsAnswer, openApiAnswer, readyAnswer } from '../answers/service-answers.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import { buildOpenApiDocument } from '../openapi/openapi-document.js';
import type { RouteRegistry } from '../openapi/route-registry.js';

const READY_TIMEOUT_MS = 2_000;

export function registerOperationsRoutes(
  app: FastifyInstance,
  { routes, store, metrics }: { routes: RouteRegistry; store: Store; metrics: ServiceMetrics },
): void {
  const probe = { tag: 'Operations', auth: 'none' } as const;
  routes.route(
    app,
    {
      ...probe,
      method: 'GET',
      url: '/healthz',
      summary: 'Liveness',
      responses: { 200: { description: 'The process is up.', schema: healthAnswer } },
    },
    async () => ({ status: 'ok' }),
  );

  routes.route(
    app,
    {
      ...probe,
      method: 'GET',
      url: '/readyz',
      summary: 'Readiness: the event store answers',
      responses: {
        200: { description: 'Ready to accept events.', schema: readyAnswer },
        503: '`store_unavailable`: the store does not answer.',
      },
    },
    async (_input, _request, reply) => {
      try {
        await withTimeout(store.ping(), READY_TIMEOUT_MS);
        return { status: 'ready' };
      } catch {
        const response = new StoreUnavailableError(
          'The event store does not answer; this instance cannot accept events.',
        ).toResponse();
        return reply.code(503).headers(response.headers).send(response.body);
      }
    },
  );

  routes.route(
    app,
    {
      ...probe,
      method: 'GET',
      url: '/metrics',
      summary: 'Prometheus metrics',
      produces: 'text/plain',
      responses: { 200: { description: 'Metrics in the Prometheus text format.', schema: metricsAnswer } },
    },
    async (_input, _request, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );

  let openApi: object | undefined;
  routes.route(
    app,
    {
      ...probe,
      method: 'GET',
      url: '/openapi.json',
      summary: 'This description (OpenAPI 3.1)',
      description: 'Public: it describes the API and reveals no data.',
      responses: { 200: { description: 'The OpenAPI 3.1 document.', schema: openApiAnswer } },
    },
    // Built on first request, once every route has been declared.
    async () => (openApi ??= buildOpenApiDocument(routes.routes)),
  );
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
