/**
 * The controls of an application endpoint in the admin API: recover its failed and dead messages
 * since a time, remove it, and send it a signed test message.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from 'persona-webhooks';
import { z } from 'zod';
import type { DestinationPolicy } from '../../outbound/destination-policy.js';
import { sendTestMessage } from '../../outbound/test-message.js';
import { recoverAnswer, removedEndpointAnswer, testMessageAnswer } from '../answers/outbox-answers.js';
import { ConflictError, NotFoundError } from '../http/http-errors.js';
import { ADMIN_API, type AdminRouteContext, idParam, isoTimeQuery } from './admin-route-parts.js';

/** What the test route needs of the outbound settings. */
export interface OutboundControls {
  policy: DestinationPolicy;
  /** The port the service listens on, for the self-target check (0: not known). */
  servicePort: () => number;
  timeoutMs: number;
}

const endpointIdParam = idParam('The endpoint id (`ep_…`).');
export const recoverBody = z.object({
  since: isoTimeQuery.describe('Recover the messages created at or after this time (ISO 8601).'),
});

export interface EndpointControlRoutesOptions extends AdminRouteContext {
  outbound: OutboundControls;
}

export function registerEndpointControlRoutes(
  api: FastifyInstance,
  { store, routes, outbound }: EndpointControlRoutesOptions,
): void {
  routes.route(
    api,
    {
      ...ADMIN_API,
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
      await endpointOf(store, id);
      const recovered = await store.recoverDeliveries({ endpointId: id, sinceMs: since }, Date.now());
      return reply.code(202).send({ recovered });
    },
  );

  routes.route(
    api,
    {
      ...ADMIN_API,
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
      const endpoint = await endpointOf(store, id);
      if (endpoint.source === 'env') {
        throw new ConflictError(
          `Endpoint ${id} comes from PERSONA_WEBHOOKS_APP_ENDPOINTS: remove it there and restart (it is then disabled).`,
        );
      }
      return store.removeEndpoint(id);
    },
  );

  registerTestMessageRoute(api, { store, routes, outbound });
}

/** `POST /api/endpoints/:id/test`: the one control that sends, so it alone needs the outbound settings. */
function registerTestMessageRoute(
  api: FastifyInstance,
  { store, routes, outbound }: EndpointControlRoutesOptions,
): void {
  routes.route(
    api,
    {
      ...ADMIN_API,
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
      const endpoint = await endpointOf(store, id);
      const result = await sendTestMessage(endpoint, {
        policy: outbound.policy,
        servicePort: outbound.servicePort(),
        timeoutMs: outbound.timeoutMs,
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

/** The endpoint with this id, or a 404. */
async function endpointOf(store: Pick<Store, 'listEndpoints'>, id: string) {
  const endpoint = (await store.listEndpoints()).find((e) => e.id === id);
  if (!endpoint) throw new NotFoundError(`Endpoint "${id.slice(0, 100)}"`);
  return endpoint;
}
