/**
 * The HTTP surface of the service: the webhook receiver, health, readiness, metrics, the admin API and
 * the browser dashboard, on one Fastify instance (webhook POSTs take a shorter way to the same pipeline:
 * `webhook-fast-path.ts`). Every API error answers JSON with a stable code.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import type { Store, WebhookPipeline } from 'persona-webhooks';
import {
  kycPolicyEvents,
  MAX_ID_CHARS,
  PayloadTooLargeError,
  PersonaWebhookError,
  StoreUnavailableError,
} from 'persona-webhooks';
import { fastifyPersonaWebhooks } from 'persona-webhooks/fastify';
import { createAppTokenCheck } from '../../app-tokens/app-token-check.js';
import type { ReconcileStatus } from '../../reconcile/reconcile-service.js';
import { createAdminAuth } from '../admin-api/admin-auth.js';
import { registerAdminRoutes } from '../admin-api/admin-routes.js';
import type { OutboundControls } from '../admin-api/delivery-control-routes.js';
import { healthAnswer, metricsAnswer, openApiAnswer, readyAnswer } from '../answers/service-answers.js';
import { registerDashboard } from '../dashboard/dashboard-routes.js';
import { deriveSessionKey } from '../dashboard/session-key.js';
import { SessionBook } from '../dashboard/sessions.js';
import { type Logger, logUnhandledError } from '../observability/logger.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import type { MinuteCounter } from '../observability/minute-counter.js';
import { DASHBOARD_SESSION_SPECS, webhookRouteSpec } from '../openapi/described-routes.js';
import { buildOpenApiDocument } from '../openapi/openapi-document.js';
import { RouteRegistry } from '../openapi/route-registry.js';
import { closeWhenBodyUnread } from './close-unread.js';
import { InternalError, InvalidQueryError, NotFoundError } from './http-errors.js';
import { answerClientError, writeRawError } from './raw-error-responses.js';
import { withSecurityHeaders } from './security-headers.js';
import { fastifyTrustProxy } from './trust-proxy.js';
import { webhookFastPath } from './webhook-fast-path.js';

export const WEBHOOK_PATH = '/webhooks/persona';
const READY_TIMEOUT_MS = 2_000;

export interface AppOptions {
  pipeline: WebhookPipeline;
  store: Store;
  metrics: ServiceMetrics;
  logger: Logger;
  adminToken: string;
  /** Mixed into the session key with the admin token (ADMIN_SESSION_SECRET). */
  sessionSecret?: string | null;
  /** How long a dashboard sign-in lasts. Default 12 h. */
  sessionTtlMs?: number;
  /** TRUST_PROXY (`trust-proxy.ts` says how Fastify gets it). Default false. */
  trustProxy?: boolean | number | string;
  /** Invalid-signature requests, counted by the pipeline's `onOutcome`, for the dashboard's overview. */
  invalidSignatures: MinuteCounter;
  /** How long payloads are kept (PERSONA_WEBHOOKS_RETENTION_DAYS). Default 30 days. */
  retentionMs?: number;
  /** Reconciliation's status for `GET /api/reconcile`; absent: reported as off. */
  reconcile?: ReconcileStatus;
  /**
   * The events the service's KYC policy reads, for the dashboard's setup guide. Default: the default
   * policy's (`kycPolicyEvents()`).
   */
  policyEvents?: readonly string[];
  /** Whether they come from a policy file (PERSONA_WEBHOOKS_POLICY). Default false. */
  policyFromFile?: boolean;
  /** Time a client has for a whole request (half of it for the headers). Default 10 s. */
  requestTimeoutMs?: number;
  /** The outbound settings the delivery controls use (test messages). */
  outbound?: OutboundControls;
  /** Hold every JSON answer to its declared schema, failing the request on a mismatch (tests). */
  checkAnswers?: boolean;
}

/**
 * Longest path parameter routed. Ids are at most MAX_ID_CHARS once decoded; percent-encoding can triple
 * them on the wire. Longer ones are answered 414 in our shape instead of reaching a route.
 */
const MAX_PARAM_LENGTH = 3 * MAX_ID_CHARS;
const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export function buildApp(options: AppOptions): FastifyInstance {
  const { store, metrics, logger } = options;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request is written below, without query strings or headers.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // A hop count becomes a trust function: Fastify 5 treats a bare number as "trust nothing".
    trustProxy: fastifyTrustProxy(options.trustProxy ?? false),
    // Bounded time per connection: a client sending its body a byte a second is cut off, not waited for.
    // Node checks the timeouts every second (its default, 30 s, is far longer than the timeouts).
    serverFactory: webhookFastPath({
      pipeline: options.pipeline,
      path: WEBHOOK_PATH,
      logger,
      timeouts: {
        requestTimeoutMs,
        headersTimeoutMs: Math.ceil(requestTimeoutMs / 2),
        keepAliveTimeoutMs: 5_000,
        connectionsCheckingIntervalMs: 1_000,
      },
    }),
    // Requests arriving while shutting down are still answered, by our handlers and in our shape; the
    // default would answer them in Fastify's own error shape.
    return503OnClosing: false,
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, _request, reply) => {
      const response = new InvalidQueryError(
        error.code === 'FST_ERR_BAD_URL' ? 'the URL is not valid' : 'malformed request',
      ).toResponse();
      // The option's reply type is generic over a schema we do not use.
      return (reply as FastifyReply).code(response.status).headers(response.headers).send(response.body);
    },
    routerOptions: {
      maxParamLength: MAX_PARAM_LENGTH,
      onMaxParamLength: (_path, _req, res) =>
        writeRawError(
          res,
          414,
          'uri_too_long',
          `A path parameter is longer than ${MAX_PARAM_LENGTH} characters.`,
        ),
      onBadUrl: (_path, _req, res) =>
        writeRawError(res, 400, 'invalid_request', 'The request is invalid: the URL is not valid.'),
    },
  });

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

  // Every answer, not a list of paths: a list compared against the URL is one query string away from
  // missing the dashboard.
  app.addHook('onSend', async (_request, reply) => {
    withSecurityHeaders(reply);
  });

  app.addHook('onSend', closeWhenBodyUnread);

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

  const routes = new RouteRegistry({ checkAnswers: options.checkAnswers ?? false });
  app.register(fastifyPersonaWebhooks, { pipeline: options.pipeline, path: WEBHOOK_PATH });
  routes.describe(webhookRouteSpec(WEBHOOK_PATH));

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

  app.register(fastifyCookie, {
    secret: deriveSessionKey(options.adminToken, options.sessionSecret ?? null),
  });
  // Only used through createRateLimit() by the admin auth, which counts wrong tokens.
  app.register(fastifyRateLimit, { global: false });
  app.register(async (scope) => {
    const sessions = new SessionBook(options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS, store);
    const auth = createAdminAuth(scope, {
      adminToken: options.adminToken,
      sessions,
      trustProxy: options.trustProxy ?? false,
      appTokens: createAppTokenCheck(store, logger),
    });
    registerDashboard(scope, { auth, sessions });
    for (const spec of DASHBOARD_SESSION_SPECS) routes.describe(spec);
    registerAdminRoutes(scope, {
      store,
      auth,
      invalidSignatures: options.invalidSignatures,
      retentionMs: options.retentionMs ?? 30 * DAY_MS,
      routes,
      policyEvents: options.policyEvents ?? kycPolicyEvents(),
      policyFromFile: options.policyFromFile ?? false,
      receiverPath: WEBHOOK_PATH,
      ...(options.reconcile ? { reconcile: options.reconcile } : {}),
      ...(options.outbound ? { outbound: options.outbound } : {}),
    });
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
