/**
 * The outbox's controls in the admin API: send a pending message now, recover an endpoint's failed
 * and dead messages since a time, remove an endpoint, and send it a signed test message. Registered
 * inside the admin scope (`admin-routes.ts`), so the same authentication applies.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_ID_CHARS, type Store } from 'persona-webhooks';
import { z } from 'zod';
import type { DestinationPolicy } from '../../outbound/destination-policy.js';
import { sendTestMessage } from '../../outbound/test-message.js';
import {
  recoverAnswer,
  removedEndpointAnswer,
  sendNowAnswer,
  testMessageAnswer,
} from '../answers/outbox-answers.js';
import { ConflictError, NotFoundError } from '../http/http-errors.js';
import type { RouteRegistry } from '../openapi/route-registry.js';

/** What the test route needs of the outbound settings. */
export interface OutboundControls {
  policy: DestinationPolicy;
  /** The port the service listens on, for the self-target check (0: not known). */
  servicePort: () => number;
  timeoutMs: number;
}

const idParam = (description: string) =>
  z.object({ id: z.string().min(1).max(MAX_ID_CHARS).describe(description) });
const deliveryIdParam = idParam('The message id (`msg_…`), which is also its `webhook-id`.');
const endpointIdParam = idParam('The endpoint id (`ep_…`).');
export const recoverBody = z.object({
  since: z.iso
    .datetime({ offset: true })
    .transform((value) => Date.parse(value))
    .describe('Recover the messages created at or after this time (ISO 8601).'),
});

export function registerDeliveryControlRoutes(
  api: FastifyInstance,
  options: { store: Store; routes: RouteRegistry; outbound: OutboundControls },
): void {
  const { store, routes } = options;
  const admin = { tag: 'Admin API', auth: 'admin' } as const;
  const endpointOf = async (id: string) => {
    const endpoint = (await store.listEndpoints()).find((e) => e.id === id);
    if (!endpoint) throw new NotFoundError(`Endpoint "${id.slice(0, 100)}"`);
    return endpoint;
  };

  routes.route(
    api,
    {
      ...admin,
      method: 'POST',
      url: '/api/deliveries/:id/send-now',
      summary: 'Send a pending message now instead of at its next retry (its attempt count is kept)',
      params: deliveryIdParam,
      responses: {
        202: {
          description: '`{"outcome": "queued_now"}`: due now; the sender picks it up within a second.',
          schema: sendNowAnswer,
        },
        404: '`not_found`: no such message.',
        409: '`conflict`: the message is not pending (being sent, delivered or dead: replay a dead one).',
      },
    },
    async ({ params: { id } }, _request, reply) => {
      const outcome = await store.sendDeliveryNow(id, Date.now());
      if (outcome === 'not_found') throw new NotFoundError(`Message "${id.slice(0, 100)}"`);
      if (outcome === 'not_pending') {
        throw new ConflictError(
          `Message ${id} is not pending: it is being sent, delivered or dead (replay a dead one).`,
        );
      }
      return reply.code(202).send({ outcome });
    },
  );

  routes.route(
    api,
    {
      ...admin,
      method: 'POST',
      url: '/api/endpoints/:id/recover',
      summary: 'Send again, now, every failed or dead message of an endpoint created since a time',
      description:
        'For an application that is back: dead messages get a fresh set of attempts (as a replay), those waiting for a retry are due now. Same `webhook-id`s.',
      params: endpointIdParam,
      body: recoverBody,
      responses: {
        202: { description: 'How many messages were put back in the queue.', schema: recoverAnswer },
        404: '`not_found`: no such endpoint.',
      },
    },
    async ({ params: { id }, body: { since } }, _request, reply) => {
      await endpointOf(id);
      const recovered = await store.recoverDeliveries({ endpointId: id, sinceMs: since }, Date.now());
      return reply.code(202).send({ recovered });
    },
  );

  routes.route(
    api,
    {
      ...admin,
      method: 'DELETE',
      url: '/api/endpoints/:id',
      summary: 'Remove an endpoint added with the CLI, with its messages and their attempts',
      params: endpointIdParam,
      responses: {
        200: { description: 'Removed, with how many messages.', schema: removedEndpointAnswer },
        404: '`not_found`: no such endpoint.',
        409: '`conflict`: the endpoint comes from PERSONA_WEBHOOKS_APP_ENDPOINTS; remove it there and restart.',
      },
    },
    async ({ params: { id } }) => {
      const endpoint = await endpointOf(id);
      if (endpoint.source === 'env') {
        throw new ConflictError(
          `Endpoint ${id} comes from PERSONA_WEBHOOKS_APP_ENDPOINTS: remove it there and restart (it is then disabled).`,
        );
      }
      return store.removeEndpoint(id);
    },
  );

  routes.route(
    api,
    {
      ...admin,
      method: 'POST',
      url: '/api/endpoints/:id/test',
      summary: 'Send the endpoint a signed `webhook.test` message now and answer how it went',
      description:
        'Signed like every message (Standard Webhooks, every valid secret), through the same destination checks; not stored, not retried.',
      params: endpointIdParam,
      responses: {
        200: {
          description:
            'The attempt: `ok`, `statusCode`, `error`, `durationMs`, `responseExcerpt` (first KiB of the answer, as text) and the `requestHeaders` sent (signatures masked).',
          schema: testMessageAnswer,
        },
        404: '`not_found`: no such endpoint.',
      },
    },
    async ({ params: { id } }) => {
      const endpoint = await endpointOf(id);
      const result = await sendTestMessage(endpoint, {
        policy: options.outbound.policy,
        servicePort: options.outbound.servicePort(),
        timeoutMs: options.outbound.timeoutMs,
      });
      return {
        id: result.id,
        ok: result.ok,
        statusCode: result.statusCode,
        error: result.error,
        durationMs: Math.round(result.durationMs),
        responseExcerpt: result.responseExcerpt ?? null,
        requestHeaders: result.requestHeaders ?? null,
      };
    },
  );
}
