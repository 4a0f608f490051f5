/**
 * Persona's Webhooks API: list, create, retrieve, update, enable, disable, archive and rotate-secret.
 * Disabling or archiving cancels the webhook's pending retries, as Persona does.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EmulatedWebhook, KeyInflection } from '../emulator-model.js';
import { paginate } from '../pagination.js';
import { webhookJson } from '../persona-json.js';
import { API_PREFIX, attributesOf, queryOf, type RouteContext, sendPersonaError } from './route-context.js';

const INFLECTIONS: readonly string[] = ['kebab', 'camel', 'snake'];

interface IdParams {
  Params: { id: string };
}

export function registerWebhooksRoutes(app: FastifyInstance, context: RouteContext): void {
  registerCollectionRoutes(app, context);
  registerWebhookRoutes(app, context);
}

/** List and create. */
function registerCollectionRoutes(app: FastifyInstance, { state, maxPageSize }: RouteContext): void {
  app.get(`${API_PREFIX}/webhooks`, async (request) => {
    const webhooks = state.webhooksNewestFirst().filter((webhook) => webhook.status !== 'archived');
    const page = paginate(webhooks, {
      query: queryOf(request),
      path: `${API_PREFIX}/webhooks`,
      maxPageSize,
    });
    return { data: page.items.map(webhookJson), links: page.links };
  });

  app.post(`${API_PREFIX}/webhooks`, async (request, reply) => {
    const attributes = attributesOf(request.body);
    const invalid = validate(attributes, true);
    if (invalid) return sendPersonaError(reply, 400, 'Bad Request', invalid);
    const webhook = state.createWebhook({
      url: attributes['url'] as string,
      enabledEvents: (attributes['enabled-events'] as string[] | undefined) ?? [],
      ...(typeof attributes['api-version'] === 'string' ? { apiVersion: attributes['api-version'] } : {}),
      ...(typeof attributes['api-key-inflection'] === 'string'
        ? { keyInflection: attributes['api-key-inflection'] as KeyInflection }
        : {}),
    });
    return reply.code(201).send({ data: webhookJson(webhook) });
  });
}

/** One webhook: retrieve, update, enable, disable, archive, rotate its secret. */
function registerWebhookRoutes(app: FastifyInstance, { state, deliverer }: RouteContext): void {
  const find = (id: string, reply: FastifyReply): EmulatedWebhook | null => {
    const webhook = state.webhooks.get(id);
    if (!webhook || webhook.status === 'archived') {
      void sendPersonaError(reply, 404, 'Record not found', `No webhook ${id.slice(0, 64)}`);
      return null;
    }
    return webhook;
  };

  app.get<IdParams>(`${API_PREFIX}/webhooks/:id`, async (request, reply) => {
    const webhook = find(request.params.id, reply);
    return webhook ? { data: webhookJson(webhook) } : reply;
  });

  app.patch<IdParams>(`${API_PREFIX}/webhooks/:id`, async (request, reply) => {
    const webhook = find(request.params.id, reply);
    if (!webhook) return reply;
    const attributes = attributesOf(request.body);
    const invalid = validate(attributes, false);
    if (invalid) return sendPersonaError(reply, 400, 'Bad Request', invalid);
    if (typeof attributes['url'] === 'string') webhook.url = attributes['url'];
    if (Array.isArray(attributes['enabled-events']))
      webhook.enabledEvents = attributes['enabled-events'] as string[];
    if (typeof attributes['api-version'] === 'string') webhook.apiVersion = attributes['api-version'];
    if (typeof attributes['api-key-inflection'] === 'string') {
      webhook.keyInflection = attributes['api-key-inflection'] as KeyInflection;
    }
    return { data: webhookJson(webhook) };
  });

  for (const action of ['enable', 'disable', 'archive'] as const) {
    app.post<IdParams>(`${API_PREFIX}/webhooks/:id/${action}`, async (request, reply) => {
      const webhook = find(request.params.id, reply);
      if (!webhook) return reply;
      webhook.status = action === 'enable' ? 'enabled' : action === 'disable' ? 'disabled' : 'archived';
      if (action !== 'enable') deliverer.cancelPending(webhook.id);
      return { data: webhookJson(webhook) };
    });
  }

  app.post<IdParams>(`${API_PREFIX}/webhooks/:id/rotate-secret`, async (request, reply) => {
    const webhook = find(request.params.id, reply);
    if (!webhook) return reply;
    const meta = (request.body as { meta?: Record<string, unknown> } | undefined)?.meta ?? {};
    const expiresIn = meta['expires-in-seconds'] ?? 0;
    if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 0) {
      return sendPersonaError(
        reply,
        400,
        'Bad Request',
        'meta.expires-in-seconds must be a whole number ≥ 0',
      );
    }
    return { data: webhookJson(state.rotateSecret(webhook, expiresIn)) };
  });
}

/** Why the attributes are not acceptable, or null. */
function validate(attributes: Record<string, unknown>, creating: boolean): string | null {
  const url = attributes['url'];
  if (creating || url !== undefined) {
    if (typeof url !== 'string' || !/^https?:\/\/./.test(url)) return 'url must be an http(s) URL';
  }
  const events = attributes['enabled-events'];
  if (events !== undefined && (!Array.isArray(events) || events.some((e) => typeof e !== 'string'))) {
    return 'enabled-events must be a list of event names';
  }
  const inflection = attributes['api-key-inflection'];
  if (inflection !== undefined && !INFLECTIONS.includes(inflection as string)) {
    return 'api-key-inflection must be kebab, camel or snake';
  }
  const version = attributes['api-version'];
  if (version !== undefined && (typeof version !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(version))) {
    return 'api-version must be a date like 2023-01-05';
  }
  return null;
}
