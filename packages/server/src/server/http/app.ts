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
import { kycPolicyEvents, MAX_ID_CHARS } from 'persona-webhooks';
import { fastifyPersonaWebhooks } from 'persona-webhooks/fastify';
import { createAppTokenCheck } from '../../app-tokens/app-token-check.js';
import type { ReconcileStatus } from '../../reconcile/reconcile-service.js';
import type { AppTokenStore } from '../../service-state/app-tokens.js';
import type { SessionRevocationStore } from '../../service-state/session-revocations.js';
import { createAdminAuth } from '../admin-api/admin-auth.js';
import { registerAdminRoutes } from '../admin-api/admin-routes.js';
import type { OutboundControls } from '../admin-api/endpoint-control-routes.js';
import { registerDashboard } from '../dashboard/dashboard-routes.js';
import { deriveSessionKey } from '../dashboard/session-key.js';
import { SessionBook } from '../dashboard/sessions.js';
import type { Logger } from '../observability/logger.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import type { MinuteCounter } from '../observability/minute-counter.js';
import { DASHBOARD_SESSION_SPECS, webhookRouteSpec } from '../openapi/described-routes.js';
import { RouteRegistry } from '../openapi/route-registry.js';
import { closeWhenBodyUnread } from './close-unread.js';
import { answerErrorsInOurShape } from './error-handlers.js';
import { InvalidQueryError } from './http-errors.js';
import { registerOperationsRoutes } from './operations-routes.js';
import { answerClientError, writeRawError } from './raw-error-responses.js';
import { withSecurityHeaders } from './security-headers.js';
import { fastifyTrustProxy } from './trust-proxy.js';
import { webhookFastPath } from './webhook-fast-path.js';

export const WEBHOOK_PATH = '/webhooks/persona';

export interface AppOptions {
  pipeline: WebhookPipeline;
  /** The event store, with the service state the dashboard sign-out and app tokens need. */
  store: Store & SessionRevocationStore & AppTokenStore;
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
  const app = createFastify(options);
  answerErrorsInOurShape(app, options.logger);
  addAnswerHooks(app);

  const routes = new RouteRegistry({ checkAnswers: options.checkAnswers ?? false });
  app.register(fastifyPersonaWebhooks, { pipeline: options.pipeline, path: WEBHOOK_PATH });
  routes.describe(webhookRouteSpec(WEBHOOK_PATH));
  registerOperationsRoutes(app, { routes, store: options.store, metrics: options.metrics });
  registerSignedInSurface(app, options, routes);
  return app;
}

/** The Fastify instance: its limits, the webhook fast path in front of it, errors in our shape. */
function createFastify(options: AppOptions): FastifyInstance {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  return Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
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
      logger: options.logger,
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
}

/** What every answer gets: the security headers, `Connection: close` when early, and a log line. */
function addAnswerHooks(app: FastifyInstance): void {
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
}

/**
 * What needs signing in — the dashboard and the admin API — in one scope, with the cookie its session
 * rides on and the rate limit the admin auth puts on wrong tokens.
 */
function registerSignedInSurface(app: FastifyInstance, options: AppOptions, routes: RouteRegistry): void {
  const { store } = options;
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
      appTokens: createAppTokenCheck(store, options.logger),
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
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
