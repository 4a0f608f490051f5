/**
 * What the emulator does around every route, as Persona's API does: JSON parsing that accepts an empty
 * body, the loopback Host check, the API gate (bearer key, rate limit, permissions, faults), idempotent
 * writes, the request log, and Persona-shaped errors. `buildEmulatorApp` (emulator.ts) adds them in order.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { personaId } from 'persona-webhooks/testing';
import { permissionFor } from '../persona-api/permissions.js';
import { sleep } from '../persona-api/request-budget.js';
import { allowedHost } from './allowed-host.js';
import type { KeyPermissions } from './emulator-model.js';
import type { EmulatorState } from './emulator-state.js';
import { PageParameterError } from './pagination.js';
import { personaError } from './persona-json.js';
import type { FixedWindowRateLimiter } from './rate-limiter.js';
import { API_PREFIX } from './routes/route-context.js';

/** Persona's clients may send `content-type: application/json` with an empty body (enable, disable). */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('malformed JSON'), { statusCode: 400 }), undefined);
    }
  });
}

/**
 * Before anything else, on every route: a Host that is not this machine's loopback name means the
 * request was meant for another server — or a rebinding page resolved its own name to 127.0.0.1.
 */
export function refuseForeignHosts(app: FastifyInstance, listenHost: string | undefined): void {
  app.addHook('onRequest', async (request, reply) => {
    if (allowedHost(request.headers.host, listenHost)) return;
    return reply
      .code(421)
      .send(
        personaError(
          'Misdirected Request',
          'The emulator answers only requests to 127.0.0.1, localhost or [::1] (the Host header).',
        ),
      );
  });
}

/** On the API routes: the key, the rate limit, the key's permissions, then any API fault switched on. */
export function gateApiRequests(
  app: FastifyInstance,
  state: EmulatorState,
  limiter: FixedWindowRateLimiter,
): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith(`${API_PREFIX}/`)) return;
    reply.header('request-id', personaId('req'));
    const permissions = keyOf(request, state.apiKeys);
    if (!permissions) {
      return reply
        .code(401)
        .send(personaError('Unauthorized', 'The API key is missing, invalid or revoked.'));
    }
    const verdict = limiter.take();
    reply.headers(verdict.headers);
    if (!verdict.allowed) {
      reply.header('retry-after', verdict.headers['ratelimit-reset']);
      return reply.code(429).send(personaError('Too Many Requests', 'Rate limit exceeded.'));
    }
    const path = request.url.slice(API_PREFIX.length).split('?')[0] ?? '/';
    const needed = permissionFor(request.method, path);
    if (needed && permissions !== 'all' && !permissions.has(needed)) {
      return reply.code(403).send(personaError('Forbidden', `The API key lacks the ${needed} permission.`));
    }
    if (state.faults.apiErrors > 0) {
      state.faults.apiErrors--;
      return reply.code(500).send(personaError('Internal Server Error', 'Emulator fault api-errors.'));
    }
    if (state.faults.apiDelayMs > 0) await sleep(state.faults.apiDelayMs);
  });
}

/** A repeated write with the same Idempotency-Key gets the first answer again and changes nothing. */
export function replayIdempotentWrites(app: FastifyInstance): void {
  const idempotent = new Map<string, { status: number; payload: string }>();
  app.addHook('preHandler', async (request, reply) => {
    const key = idempotencyKey(request);
    const cached = key ? idempotent.get(key) : undefined;
    if (cached)
      return reply.code(cached.status).header('content-type', 'application/json').send(cached.payload);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const key = idempotencyKey(request);
    if (key && !idempotent.has(key) && reply.statusCode < 500 && typeof payload === 'string') {
      idempotent.set(key, { status: reply.statusCode, payload });
    }
    return payload;
  });
}

/** Every API request and its status, in `state.requests`. */
export function recordApiRequests(app: FastifyInstance, state: EmulatorState): void {
  app.addHook('onResponse', async (request, reply) => {
    if (!request.url.startsWith(`${API_PREFIX}/`)) return;
    // Stamped with the arrival time, which is what a rate limit counts.
    state.requests.push({
      atMs: Math.round(state.now() - reply.elapsedTime),
      method: request.method,
      url: request.url,
      status: reply.statusCode,
    });
  });
}

/** Errors and unknown routes in Persona's error shape. */
export function answerErrorsAsPersona(app: FastifyInstance): void {
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof PageParameterError)
      return reply.code(400).send(personaError('Bad Request', error.message));
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.code(status).send(personaError('Bad Request', (error as Error).message));
    }
    return reply.code(500).send(personaError('Internal Server Error'));
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(personaError('Not Found')));
}

function keyOf(request: FastifyRequest, keys: ReadonlyMap<string, KeyPermissions>): KeyPermissions | null {
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
  return (match && keys.get(match[1]!)) || null;
}

function idempotencyKey(request: FastifyRequest): string | null {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || request.method === 'GET' || !request.url.startsWith(`${API_PREFIX}/`))
    return null;
  return `${request.headers.authorization ?? ''} ${request.method} ${request.url} ${key}`;
}
