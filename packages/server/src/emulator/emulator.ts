/**
 * A local Persona for development and tests (like stripe-mock, with webhooks): the REST API subset this
 * project uses under `/api/v1` — events, webhooks, webhook events, inquiries — with Persona's bearer
 * auth and per-endpoint permissions, `Request-Id`, rate limit (`429` + `ratelimit-*`), cursor pagination,
 * idempotency keys and error shape; and webhook deliveries signed and retried as Persona does. Faults
 * (dropped deliveries, failing attempts, slow or failing API answers) are switched on through
 * `/_emulator/faults`.
 *
 * It answers only requests addressed to a loopback name (`Host: 127.0.0.1`, `localhost`, `[::1]`, or the
 * address it was told to listen on), so a web page cannot reach it through DNS rebinding; and its
 * control routes need its full-permission key, so nothing else on the machine can mint keys, read the
 * webhook secrets or have it deliver signed events.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { Deliverer } from './deliverer.js';
import {
  acceptEmptyJsonBodies,
  answerErrorsAsPersona,
  gateApiRequests,
  recordApiRequests,
  refuseForeignHosts,
  replayIdempotentWrites,
} from './emulator-http-hooks.js';
import type { DeliveryAttemptRecord, EmulatedWebhook } from './emulator-model.js';
import { type CreateWebhookInput, EmulatorState } from './emulator-state.js';
import { FixedWindowRateLimiter } from './rate-limiter.js';
import { registerControlRoutes } from './routes/control-routes.js';
import { registerEventsRoutes } from './routes/events-routes.js';
import { registerInquiriesRoutes } from './routes/inquiries-routes.js';
import { API_PREFIX, type RouteContext } from './routes/route-context.js';
import { registerWebhookEventsRoutes } from './routes/webhook-events-routes.js';
import { registerWebhooksRoutes } from './routes/webhooks-routes.js';

/**
 * A new full-permission key for each start (printed by `emulate`). A fixed default would be known to
 * anything on the machine, and with it the control routes and the webhook secrets.
 */
export function newEmulatorApiKey(): string {
  return `persona_sandbox_emulator_${randomBytes(18).toString('base64url')}`;
}

export interface EmulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Divides Persona's retry delays: 60 turns the 3 s first retry into 50 ms. Default 1. */
  timeScale?: number;
  /** The full-permission key, which also opens the control routes. Default: a new random one. */
  apiKey?: string;
  /** Requests per rate-limit window. Default 300, Persona's default. */
  rateLimit?: number;
  /** The rate-limit window. Default 60,000 ms. */
  rateLimitWindowMs?: number;
  /** Largest page served, whatever was asked (≤ 100). Default 100. */
  maxPageSize?: number;
  /** How long a receiver has to answer a delivery. Default 5,000 ms. */
  deliveryTimeoutMs?: number;
  /** Called after each delivery attempt. */
  onAttempt?: (attempt: DeliveryAttemptRecord) => void;
}

export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `http://127.0.0.1:<port>/api/v1`: what PERSONA_API_URL should be. */
  apiUrl: string;
  /** The full-permission API key; also the key of the `/_emulator/*` control routes. */
  apiKey: string;
  state: EmulatorState;
  deliverer: Deliverer;
  /** Creates a webhook directly (as the Dashboard would). */
  createWebhook(input: CreateWebhookInput): EmulatedWebhook;
  close(): Promise<void>;
}

/**
 * @example
 * const persona = await startEmulator({ timeScale: 60 });
 * const webhook = persona.createWebhook({ url: 'http://127.0.0.1:3000/webhooks/persona', enabledEvents: ['*'] });
 * persona.state.createInquiry({ referenceId: 'user-1' }); // records inquiry.created and delivers it
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = new EmulatorState();
  const apiKey = state.addApiKey(options.apiKey ?? newEmulatorApiKey(), 'all');
  const deliverer = new Deliverer(state, {
    timeScale: options.timeScale ?? 1,
    timeoutMs: options.deliveryTimeoutMs ?? 5_000,
    ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
  });
  const listenHost = options.host ?? '127.0.0.1';
  const app = buildEmulatorApp({
    state,
    deliverer,
    controlKey: apiKey,
    listenHost,
    maxPageSize: Math.min(100, Math.max(1, options.maxPageSize ?? 100)),
    limiter: new FixedWindowRateLimiter(options.rateLimit ?? 300, options.rateLimitWindowMs ?? 60_000),
  });
  try {
    await app.listen({ port: options.port ?? 0, host: listenHost });
  } catch (error) {
    deliverer.close();
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const host =
    options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    apiUrl: `${url}${API_PREFIX}`,
    apiKey,
    state,
    deliverer,
    createWebhook: (input) => state.createWebhook(input),
    async close() {
      deliverer.close();
      await app.close();
    },
  };
}

interface AppOptions extends RouteContext {
  limiter: FixedWindowRateLimiter;
  /** The address it listens on: accepted as a `Host` too, unless it is a wildcard. */
  listenHost?: string;
}

/** The emulator's HTTP surface (exported for tests that inject requests). */
export function buildEmulatorApp(options: AppOptions): FastifyInstance {
  const { state, limiter } = options;
  const app = Fastify({ logger: false });
  // Hooks of one kind run in the order they are added: the Host check must come before the API gate.
  acceptEmptyJsonBodies(app);
  refuseForeignHosts(app, options.listenHost);
  gateApiRequests(app, state, limiter);
  replayIdempotentWrites(app);
  recordApiRequests(app, state);
  answerErrorsAsPersona(app);

  registerEventsRoutes(app, options);
  registerWebhooksRoutes(app, options);
  registerWebhookEventsRoutes(app, options);
  registerInquiriesRoutes(app, options);
  registerControlRoutes(app, options);
  return app;
}
