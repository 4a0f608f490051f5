/**
 * The webhook route on node:http directly, in front of Fastify. Persona's deliveries are the service's
 * hot path, and everything Fastify adds to a request (routing, hooks, cookie parsing, the reply object)
 * was about a fifth of the CPU each delivery cost; the pipeline already answers, logs and counts on its
 * own. Every other request — and every webhook request that is not a POST — goes to Fastify, whose
 * route for the same path answers them (405 in our JSON shape) as before; `inject()` in tests also
 * reaches the pipeline through that route.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { WebhookPipeline } from 'persona-webhooks';
import { createNodeMiddleware } from 'persona-webhooks/node';
import { type Logger, logUnhandledError } from '../observability/logger.js';
import { writeRawError } from './raw-error-responses.js';
import { withSecurityHeaders } from './security-headers.js';

/** What the server needs from Fastify's HTTP options, which Fastify does not apply to a server it did not create. */
export interface ServerTimeouts {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** How often Node checks the timeouts above. */
  connectionsCheckingIntervalMs: number;
}

/**
 * A `serverFactory` for Fastify: POSTs to `path` go to the pipeline through the node:http adapter,
 * everything else to Fastify's handler.
 *
 * @example
 * Fastify({ serverFactory: webhookFastPath({ pipeline, path: '/webhooks/persona', logger, timeouts }) });
 */
export function webhookFastPath(options: {
  pipeline: WebhookPipeline;
  path: string;
  logger: Logger;
  timeouts: ServerTimeouts;
}): (fastifyHandler: RequestListener) => Server {
  const { path, logger, timeouts } = options;
  const webhook = createNodeMiddleware(options.pipeline);
  const isWebhook = (request: IncomingMessage) =>
    request.method === 'POST' &&
    request.url !== undefined &&
    (request.url === path || request.url.startsWith(`${path}?`));

  return (fastifyHandler) => {
    const server = createServer(
      {
        requestTimeout: timeouts.requestTimeoutMs,
        headersTimeout: timeouts.headersTimeoutMs,
        connectionsCheckingInterval: timeouts.connectionsCheckingIntervalMs,
      },
      (request, response) => {
        if (!isWebhook(request)) {
          fastifyHandler(request, response);
          return;
        }
        // The same headers as every other answer of the service (see security-headers.ts).
        withSecurityHeaders(response);
        webhook(request, response).catch((error: unknown) => {
          // The pipeline turns every failure into a response; reaching this is a bug.
          logUnhandledError(logger, error, path);
          writeRawError(response, 500, 'internal_error', 'The request failed unexpectedly.');
        });
      },
    );
    server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
    return server;
  };
}
